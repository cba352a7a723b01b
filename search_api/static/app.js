// The page: state lives in the URL (so a search can be shared), data comes from the API only.
// Views: search (default), timeline, document, department, documents.
"use strict";

const FACETS = {
  kind: "类型", doc_type: "文档类型", province: "省份", city: "城市", district: "区域",
  level: "层级", year: "年度", department: "部门", unit: "预算单位",
  level1: "一级指标", level2: "二级指标",
};
const KIND_NAMES = {
  document: "文档", section: "章节", project: "项目", indicator: "绩效指标", line_item: "预算科目",
};
const DOC_TYPE_NAMES = { other: "非预算文件" };
const RELATIONS = { equivalent: "同义", related: "相关" };
const $ = (id) => document.getElementById(id);

// The one escaping function, right in text and in quoted attribute values alike: every value
// from the API goes through it (the names come from published PDFs this service does not
// control).
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function escapeHtml(text) {
  return (text == null ? "" : String(text)).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// The API's snippet: escaped text with <mark> around the matched words. Only the marks are
// kept as markup; everything else is shown as text, whatever the response holds.
function markedSnippet(snippet) {
  const decode = document.createElement("textarea");  // RCDATA: parsing it runs nothing
  return String(snippet || "").split(/(<\/?mark>)/).map((part) => {
    if (part === "<mark>" || part === "</mark>") return part;
    decode.innerHTML = part;
    return escapeHtml(decode.value);
  }).join("");
}

function state() {
  return new URLSearchParams(location.search);
}

function link(params) {
  return "?" + new URLSearchParams(params).toString();
}

function go(params) {
  history.pushState(null, "", "?" + params.toString());
  load();
}

function wan(amount) {
  return amount == null ? "" : `${Number(amount).toLocaleString("zh-CN")} 万元`;
}

async function api(path, params) {
  let response;
  try {
    response = await fetch(path + (params ? "?" + params.toString() : ""));
  } catch (err) {
    throw new Error("无法连接到搜索服务。");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error ? body.error.message : `HTTP ${response.status}`);
  }
  return body;
}

function showError(element, err) {
  element.innerHTML = `<p class="error" role="alert">出错了:${escapeHtml(err.message)}</p>`;
}

// ---- search view -----------------------------------------------------------------------

function toggleValue(name, value, on) {
  const next = state();
  const chosen = next.getAll(name).filter((v) => v !== value);
  if (on) chosen.push(value);
  next.delete(name);
  chosen.forEach((v) => next.append(name, v));
  next.delete("page");
  go(next);
}

// The filters in the URL, each a chip that removes it, and "clear all": shown from the URL,
// so a shared filter stays visible even when its value is not among the top facet values.
function renderChips(params) {
  const chips = [];
  for (const [name, label] of Object.entries(FACETS)) {
    const names = name === "kind" ? KIND_NAMES : name === "doc_type" ? DOC_TYPE_NAMES : {};
    for (const value of params.getAll(name)) {
      const shown = names[value] || (name === "district" ? value.replace("/", " ") : value);
      chips.push(`<button type="button" class="chip" data-name="${escapeHtml(name)}" ` +
        `data-value="${escapeHtml(value)}" aria-label="去掉筛选 ${escapeHtml(label)} ${escapeHtml(shown)}">` +
        `${escapeHtml(label)}: ${escapeHtml(shown)} <span aria-hidden="true">×</span></button>`);
    }
  }
  const [lo, hi] = [params.get("amount_min"), params.get("amount_max")];
  if (lo || hi) {
    const range = `${escapeHtml(lo || "0")}–${hi ? escapeHtml(hi) : ""} 万元`;
    chips.push(`<button type="button" class="chip" data-name="amount">金额: ${range} ` +
      `<span aria-hidden="true">×</span></button>`);
  }
  if (chips.length) chips.push(`<button type="button" class="clear">清除全部</button>`);
  $("chips").innerHTML = chips.join("");
  for (const chip of $("chips").querySelectorAll("button.chip")) {
    chip.addEventListener("click", () => {
      if (chip.dataset.name !== "amount") return toggleValue(chip.dataset.name, chip.dataset.value, false);
      const next = state();
      ["amount_min", "amount_max", "page"].forEach((name) => next.delete(name));
      go(next);
    });
  }
  const clear = $("chips").querySelector("button.clear");
  if (clear) {
    clear.addEventListener("click", () => {
      const next = state();
      [...Object.keys(FACETS), "amount_min", "amount_max", "page"].forEach((name) => next.delete(name));
      go(next);
    });
  }
}

const FACET_SIZE = 50, MAX_FACET_SIZE = 500;  // the API's default and limit (query.py)

function renderFacets(body) {
  const parts = [];
  const facetSize = Number(state().get("facet_size")) || FACET_SIZE;
  const years = (body.histogram && body.histogram.year) || [];
  if (years.length > 1) {
    const most = Math.max(...years.map((b) => b.count));
    parts.push(`<h2>年度分布</h2><div class="histogram">` + years.map((b) =>
      `<button class="bar" data-year="${b.year}" title="${b.year}年 ${b.count} 条">` +
      `<span style="height:${Math.max(4, Math.round(48 * b.count / most))}px"></span>` +
      `<small>${String(b.year).slice(2)}</small></button>`).join("") + `</div>`);
  }
  for (const [name, label] of Object.entries(FACETS)) {
    const values = body.facets[name] || [];
    if (!values.length) continue;
    parts.push(`<h2>${label}</h2><div class="facet" data-facet="${name}">`);
    for (const v of values) {
      // a district is shown with its city ("深圳市 福田区"): two cities' 市本级 never merge
      const names = name === "kind" ? KIND_NAMES : name === "doc_type" ? DOC_TYPE_NAMES : {};
      const shown = names[v.value] || v.label || v.value;
      parts.push(
        `<label><input type="checkbox" data-facet="${name}" value="${escapeHtml(v.value)}"` +
        `${v.selected ? " checked" : ""}> <span class="value">${escapeHtml(shown)}</span>` +
        `<span class="count">${escapeHtml(v.count)}</span></label>`);
    }
    if ((body.facets_truncated || {})[name] && facetSize < MAX_FACET_SIZE) {
      // more values than listed: ask for more of every facet (the API has one facet_size)
      const more = state();
      more.set("facet_size", Math.min(MAX_FACET_SIZE, facetSize * 4));
      parts.push(`<a class="more" href="?${more}">更多…</a>`);
    }
    parts.push(`</div>`);
  }
  const ranges = (body.amount_ranges || []).filter((r) => r.count || r.selected);
  if (ranges.length) {
    parts.push(`<h2>金额</h2><div class="facet" data-facet="amount">`);
    for (const r of ranges) {
      parts.push(
        `<label><input type="checkbox" data-min="${r.amount_min ?? ""}" data-max="${r.amount_max ?? ""}"` +
        `${r.selected ? " checked" : ""}> <span class="value">${escapeHtml(r.value)}</span>` +
        `<span class="count">${r.count}</span></label>`);
    }
    parts.push(`</div>`);
  }
  $("facets").innerHTML = parts.join("");
  for (const box of $("facets").querySelectorAll("input[data-facet]")) {
    box.addEventListener("change", () => toggleValue(box.dataset.facet, box.value, box.checked));
  }
  for (const box of $("facets").querySelectorAll("input[data-min]")) {
    box.addEventListener("change", () => {
      const next = state();
      next.delete("amount_min");
      next.delete("amount_max");
      if (box.checked) {
        if (box.dataset.min) next.set("amount_min", box.dataset.min);
        if (box.dataset.max) next.set("amount_max", box.dataset.max);
      }
      next.delete("page");
      go(next);
    });
  }
  for (const bar of $("facets").querySelectorAll("button.bar")) {
    bar.addEventListener("click", () => toggleValue("year", bar.dataset.year, true));
  }
}

function hitDetails(hit) {
  if (hit.kind === "project") {
    const parent = hit.parent ? `<span class="detail">属于 ${escapeHtml(hit.parent)}</span>` : "";
    const sources = (hit.sources || []).length > 1
      ? `<span class="detail">文中 ${hit.sources.length} 处提及</span>` : "";
    const change = hit.change && hit.change.wan != null
      ? `<span class="detail">较${escapeHtml(hit.change.base_year)}年 ${hit.change.wan > 0 ? "+" : ""}${escapeHtml(hit.change.wan)} 万元</span>` : "";
    return parent + sources + change;
  }
  if (hit.kind === "indicator") {
    const levels = [hit.level1, hit.level2].filter(Boolean).map(escapeHtml).join(" › ");
    const project = hit.project ? `<span class="detail">项目:${escapeHtml(hit.project)}</span>` : "";
    return `<span class="detail">${levels}</span>${project}`;
  }
  if (hit.kind === "line_item") {
    const amounts = (hit.amounts || []).slice(0, 4)
      .map((a) => `${escapeHtml(a.column)} ${escapeHtml(a.value)}`).join(" · ");
    return `<span class="detail">${escapeHtml(hit.table || "")}</span><span class="detail">${amounts}</span>`;
  }
  return "";
}

function renderHit(hit) {
  // 市本级 alone says nothing about where: it is always shown with its city
  const place = hit.district === "市本级" ? [hit.city, hit.district].filter(Boolean).join(" ") : hit.district;
  const doctype = hit.doc_type && hit.doc_type !== "部门预算" ? (DOC_TYPE_NAMES[hit.doc_type] || hit.doc_type) : null;
  const where = [hit.department, hit.unit && hit.unit !== hit.department ? hit.unit : null,
                 place, hit.year && `${hit.year}年`, doctype, hit.page && `第${hit.page}页`,
                 hit.ocr && `OCR 识别（置信度 ${Math.round(hit.ocr_confidence * 100)}%）`]
    .filter(Boolean).map(escapeHtml).join(" · ");
  const path = (hit.path || []).map(escapeHtml).join(" › ");
  const amount = hit.kind !== "line_item" && hit.amount_wan != null
    ? `<span class="amount">${wan(hit.amount_wan)}</span>` : "";
  const target = hit.target ? `<span class="target">目标值 ${escapeHtml(hit.target.raw)}</span>` : "";
  const actions = [];
  if (hit.kind === "project") {
    actions.push(`<a class="timeline-link" href="${link({ view: "timeline", q: hit.title })}">历年变化</a>`);
  }
  actions.push(`<a href="${link({ view: "document", id: hit.document_id, page: hit.page || "", at: hit.id, title: hit.title })}">在文档中查看</a>`);
  if (hit.department) {
    actions.push(`<a href="${link({ view: "department", name: hit.department })}">部门概览</a>`);
  }
  return `<li class="hit ${escapeHtml(hit.kind)}"><div><span class="kind">${escapeHtml(KIND_NAMES[hit.kind] || hit.kind)}</span>` +
    `<span class="title">${escapeHtml(hit.title)}</span>${amount}${target}</div>` +
    `<div class="meta">${where}${path ? " · " + path : ""}</div>` +
    `<div class="details">${hitDetails(hit)}</div>` +
    `<div class="snippet">${markedSnippet(hit.snippet)}</div>` +
    `<div class="actions">${actions.join("")}</div></li>`;
}

// The pager is links (the URL is the state): they open in a new tab, and the browser's own
// history goes back a page.
function renderPager(body) {
  const pages = Math.ceil(Math.min(body.total, 10000) / body.size);
  $("pager").innerHTML = pagerLinks(body.page, pages, (p) => {
    const next = state();
    next.set("page", p);
    return "?" + next.toString();
  });
}

function pagerLinks(page, pages, href) {
  if (pages <= 1) return "";
  return (page > 1 ? `<a rel="prev" href="${href(page - 1)}">上一页</a>` : "") +
    `<span>第 ${page} / ${pages} 页</span>` +
    (page < pages ? `<a rel="next" href="${href(page + 1)}">下一页</a>` : "");
}

function renderExpansions(body, params) {
  if (!body.expansions.length) {
    $("expansions").innerHTML = params.get("expand") === "false" && params.get("q")
      ? `未扩展相关词。<a href="#" id="expand-on">同时搜索相关词</a>` : "";
  } else {
    const terms = body.expansions.map((e) =>
      `<span class="expansion">${escapeHtml(e.term)}<small>${RELATIONS[e.relation]}</small></span>`).join(" ");
    $("expansions").innerHTML = `同时搜索了 ${terms} <a href="#" id="expand-off">只搜索原词</a>`;
  }
  for (const [id, value] of [["expand-on", null], ["expand-off", "false"]]) {
    const anchor = $(id);
    if (!anchor) continue;
    anchor.addEventListener("click", (event) => {
      event.preventDefault();
      const next = state();
      if (value) next.set("expand", value); else next.delete("expand");
      go(next);
    });
  }
}

async function loadSearch(params, isLatest) {
  $("status").textContent = "搜索中…";
  $("status").className = "";
  $("sort").value = params.get("sort") || "relevance";
  let body;
  try {
    body = await api("/api/search", params);
    if (!isLatest()) return;  // a newer search has started: its answer is the one to show
  } catch (err) {
    if (!isLatest()) return;
    $("status").textContent = `出错了:${err.message}`;
    $("status").className = "error";
    $("hits").innerHTML = "";
    renderChips(params);  // a filter that made the search fail can still be removed
    return;
  }
  const q = params.get("q");
  $("status").textContent = q ? `“${q}” 共 ${body.total} 条结果` : `共 ${body.total} 条记录`;
  const exportParams = new URLSearchParams(params);
  exportParams.delete("page");
  $("exports").innerHTML = `导出 <a href="/api/search.csv?${exportParams}">CSV</a> ` +
    `<a href="/api/search.jsonl?${exportParams}">JSONL</a>`;
  renderExpansions(body, params);
  $("hits").innerHTML = body.hits.map(renderHit).join("");
  renderChips(params);
  renderFacets(body);
  renderPager(body);
}

// ---- timeline view ---------------------------------------------------------------------

function barChart(points) {
  const width = 36, gap = 10, height = 120;
  const most = Math.max(...points.map((p) => p.amount_wan || 0), 1);
  const bars = points.map((p, i) => {
    const h = Math.max(2, Math.round((height - 30) * (p.amount_wan || 0) / most));
    const x = i * (width + gap);
    return `<g><title>${p.year}年 ${escapeHtml(p.district || "")} ${escapeHtml(p.unit || p.department || "")} ${wan(p.amount_wan)}</title>` +
      `<rect x="${x}" y="${height - 18 - h}" width="${width}" height="${h}"></rect>` +
      `<text x="${x + width / 2}" y="${height - 4}" text-anchor="middle">${p.year}</text></g>`;
  }).join("");
  return `<svg class="chart" role="img" aria-label="金额柱状图" width="${points.length * (width + gap)}" height="${height}">${bars}</svg>`;
}

async function loadTimeline(params, view) {
  const q = params.get("q") || "";
  view.innerHTML = `<h2>“${escapeHtml(q)}” 历年变化</h2><p role="status">加载中…</p>`;
  let body;
  try {
    body = await api("/api/projects/timeline", new URLSearchParams({ q }));
  } catch (err) {
    showError(view, err);
    return;
  }
  if (!body.series.length) {
    view.innerHTML = `<h2>“${escapeHtml(q)}” 历年变化</h2><p>没有找到同名项目。</p>`;
    return;
  }
  view.innerHTML = `<h2>“${escapeHtml(q)}” 历年变化</h2>` + body.series.map((s) => {
    const rows = s.points.map((p) => `<tr><td>${p.year}</td><td>${escapeHtml(p.district || "")}</td>` +
      `<td>${escapeHtml(p.unit || p.department || "")}${p.parent ? `<br><small>属于 ${escapeHtml(p.parent)}</small>` : ""}</td>` +
      `<td class="num">${wan(p.amount_wan)}</td>` +
      `<td class="num">${p.change_wan == null ? "" : `${p.change_wan > 0 ? "+" : ""}${p.change_wan} (${p.change_pct}%)`}</td>` +
      `<td><a href="${link({ view: "document", id: p.document_id, page: p.page || "", at: p.id })}">文档</a></td></tr>`).join("");
    return `<section class="series"><h3>${escapeHtml(s.name)}</h3>${barChart(s.points)}` +
      `<table><thead><tr><th>年度</th><th>区域</th><th>单位</th><th>金额</th><th>较上年</th><th></th></tr></thead>` +
      `<tbody>${rows}</tbody></table></section>`;
  }).join("");
}

// ---- document, department and documents views ------------------------------------------

async function loadDocument(params, view) {
  const id = params.get("id");
  const page = Number(params.get("page")) || null;
  view.innerHTML = `<p role="status">加载中…</p>`;
  let doc;
  try {
    doc = await api(`/api/documents/${encodeURIComponent(id)}`,
                    page ? new URLSearchParams({ page }) : null);
  } catch (err) {
    showError(view, err);
    return;
  }
  // the hit's place: its own section, else the last outline entry starting on or before its
  // page, else (a text file) the section of this document that best matches the hit's title
  let at = doc.outline.findIndex((entry) => entry.id === params.get("at"));
  if (at < 0 && page) {
    doc.outline.forEach((entry, i) => { if (entry.page && entry.page <= page) at = i; });
  }
  if (at < 0 && params.get("title")) {
    try {
      const found = await api("/api/search", new URLSearchParams(
        { q: params.get("title"), kind: "section", document_id: id, size: 1, expand: "false" }));
      if (found.hits.length) at = doc.outline.findIndex((entry) => entry.id === found.hits[0].id);
    } catch (err) { /* the outline still shows */ }
  }
  const warnings = doc.warnings.length
    ? `<h3>数据质量提示</h3><ul class="warnings">${doc.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>` : "";
  const counts = Object.entries(doc.record_counts)
    .map(([kind, n]) => `${KIND_NAMES[kind] || kind} ${n}`).join(" · ");
  const original = doc.pages ? pageView(doc, id, Math.min(Math.max(page || 1, 1), doc.pages), params)
    : `<section class="original"><h3>原文</h3><pre id="doc-text" class="doc-text">加载中…</pre></section>`;
  view.innerHTML = `<h2>${escapeHtml(doc.title)}</h2>` +
    `<p class="meta">${[doc.department, doc.district, doc.year && `${doc.year}年`, wan(doc.total_wan),
                        doc.pages && `${doc.pages} 页`,
                        doc.ocr && `含 OCR 识别的页面（置信度 ${Math.round(doc.ocr_confidence * 100)}%）`]
                        .filter(Boolean).map(escapeHtml).join(" · ")}</p>` +
    `<p class="meta">${escapeHtml(counts)} · <a href="${link({ view: "department", name: doc.department || "" })}">部门概览</a>` +
    ` · <a href="/api/documents/${encodeURIComponent(id)}/file">下载原文件</a></p>` +
    warnings + original +
    `<h3>目录</h3><ol class="outline">` + doc.outline.map((entry, i) =>
      `<li id="outline-${i}" class="${i === at ? "current" : ""}">` +
      (entry.page && doc.pages
        ? `<a href="${link({ view: "document", id, page: entry.page })}">${outlineTitle(entry)}</a>`
        : outlineTitle(entry)) +
      `${entry.page ? ` <small>第${entry.page}页</small>` : ""}</li>`).join("") + `</ol>`;
  if (!doc.pages) await showText(id, params.get("title"));
  else if (at >= 0 && !page) $(`outline-${at}`).scrollIntoView({ block: "center" });
}

function outlineTitle(entry) {
  return escapeHtml((entry.path && entry.path.length ? entry.path : [entry.title]).join(" › "));
}

// A PDF's page as an image with the hit's row marked, page by page, with the text of its
// sections beside it and a link to the PDF itself at that page.
function pageView(doc, id, page, params) {
  const at = params.get("at");
  const base = `/api/documents/${encodeURIComponent(id)}`;
  const image = `${base}/pages/${page}.png` + (at ? `?highlight=${encodeURIComponent(at)}` : "");
  const to = (p) => link({ view: "document", id, page: p, ...(at ? { at } : {}) });
  const pager = `<nav class="page-nav" aria-label="翻页">` +
    (page > 1 ? `<a rel="prev" href="${to(page - 1)}">上一页</a>` : `<span>上一页</span>`) +
    `<span>第 ${page} / ${escapeHtml(doc.pages)} 页</span>` +
    (page < doc.pages ? `<a rel="next" href="${to(page + 1)}">下一页</a>` : `<span>下一页</span>`) +
    `<a href="${base}/file#page=${page}" target="_blank" rel="noopener">在 PDF 中打开此页</a></nav>`;
  const sections = (doc.page_sections || []).map((s) =>
    `<h4>${outlineTitle(s)}</h4><p>${marked(s.text, params.get("title"))}</p>`).join("");
  return `<section class="original">${pager}<div class="page-pair">` +
    `<img id="page-image" src="${escapeHtml(image)}" alt="第${page}页" width="600">` +
    `<div class="page-text">${sections || "<p class=\"meta\">此页没有正文段落（表格页）。</p>"}</div>` +
    `</div></section>`;
}

// Text, escaped, with each occurrence of the hit's title marked.
function marked(text, title) {
  const needle = (title || "").trim();
  const parts = needle ? String(text || "").split(needle) : [String(text || "")];
  return parts.map(escapeHtml).join(`<mark>${escapeHtml(needle)}</mark>`);
}

// A text document: its text, with the hit's title marked where it occurs.
async function showText(id, title) {
  const pre = $("doc-text");
  let text;
  try {
    const response = await fetch(`/api/documents/${encodeURIComponent(id)}/file`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (err) {
    pre.textContent = `原文无法加载:${err.message}`;
    return;
  }
  pre.innerHTML = marked(text, title);
  const first = pre.querySelector("mark");
  if (first) first.scrollIntoView({ block: "center" });
}

async function loadDepartment(params, view) {
  const name = params.get("name") || "";
  view.innerHTML = `<p role="status">加载中…</p>`;
  let body;
  try {
    body = await api(`/api/departments/${encodeURIComponent(name)}`);
  } catch (err) {
    showError(view, err);
    return;
  }
  const kind = bodyKind(body.department, body.city, body.district);
  view.innerHTML = `<h2>${escapeHtml(body.department)}</h2>` +
    `<p class="meta">${escapeHtml([body.city, body.district].filter(Boolean).join(" · "))}` +
    (kind ? ` · <a class="compare-link" href="${link({ view: "compare", q: kind })}">与各地${escapeHtml(kind)}对比</a>` : "") + `</p>` +
    `<h3>各年度</h3><table><thead><tr><th>年度</th><th>总额</th><th>较上年</th><th>文档</th></tr></thead><tbody>` +
    body.years.map((y) => `<tr><td>${y.year}</td><td class="num">${wan(y.total_wan)}</td>` +
      `<td class="num">${y.change && y.change.wan != null ? `${y.change.wan > 0 ? "+" : ""}${y.change.wan} 万元` : ""}</td>` +
      `<td><a href="${link({ view: "document", id: y.document.id })}">${escapeHtml(y.document.title)}</a></td></tr>`).join("") +
    `</tbody></table><h3>主要项目</h3><ol class="projects">` +
    body.top_projects.map((p) => `<li><a href="${link({ view: "timeline", q: p.name })}">${escapeHtml(p.name)}</a>` +
      ` <span class="amount">${wan(p.amount_wan)}</span> <small>${p.year}年</small></li>`).join("") + `</ol>`;
}

// ---- compare view: one kind of body across places and years --------------------------

// The kind of body a department is: its name without its place and without "(本级)"
// ("深圳市罗湖区政务服务数据管理局(本级)" is a 政务服务数据管理局), to compare it with every
// other place's.
function bodyKind(department, city, district) {
  let name = department || "";
  for (const place of [city, district]) {
    if (place && place !== "市本级" && name.startsWith(place)) name = name.slice(place.length);
  }
  return name.replace(/\(本级\)$/, "");
}

async function loadCompare(params, view) {
  const q = (params.get("q") || "").trim();
  const form = `<form id="compare-form" class="compare-form" role="search">` +
    `<label>对比同类单位 <input id="compare-q" name="q" value="${escapeHtml(q)}" maxlength="50" ` +
    `placeholder="例如:政务服务数据管理局"></label> <button type="submit">对比</button></form>`;
  view.innerHTML = `<h2>同类单位对比</h2>${form}<div id="compare-body"></div>`;
  $("compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams({ view: "compare", q: $("compare-q").value.trim() });
    go(next);
  });
  if (!q) {
    $("compare-body").innerHTML = `<p class="meta">输入单位名称的一部分，比较各地、各年度同类单位的预算。</p>`;
    return;
  }
  let body;
  try {
    body = await api("/api/compare", new URLSearchParams({ q }));
  } catch (err) {
    showError($("compare-body"), err);
    return;
  }
  if (!body.bodies.length) {
    $("compare-body").innerHTML = `<p>没有名称包含“${escapeHtml(q)}”的单位。</p>`;
    return;
  }
  const bodies = body.bodies;
  const cells = (render) => bodies.map((b) => `<td>${render(b)}</td>`).join("");
  const place = (b) => escapeHtml(b.district === "市本级" || !b.district ? b.city || "" : `${b.city || ""} ${b.district}`);
  const projects = (b) => `<ol class="projects">${(b.top_projects || []).map((p) =>
    `<li><a href="${link({ view: "document", id: b.id, page: p.page || "", at: p.id })}">${escapeHtml(p.name)}</a>` +
    ` <span class="amount">${wan(p.amount_wan)}</span></li>`).join("")}</ol>`;
  $("compare-body").innerHTML =
    `<p class="meta">${body.total} 份预算${body.total > bodies.length ? `，显示最新的 ${bodies.length} 份` : ""}</p>` +
    `<div class="compare-scroll"><table class="compare"><thead><tr><th></th>` +
    bodies.map((b) => `<th><a href="${link({ view: "document", id: b.id })}">${escapeHtml(b.department)}</a></th>`).join("") +
    `</tr></thead><tbody>` +
    `<tr><th>地区</th>${cells(place)}</tr>` +
    `<tr><th>年度</th>${cells((b) => escapeHtml(b.year ?? ""))}</tr>` +
    `<tr><th>类型</th>${cells((b) => escapeHtml(b.doc_type || ""))}</tr>` +
    `<tr><th>总额</th>${cells((b) => `<span class="num">${wan(b.total_wan)}</span>`)}</tr>` +
    `<tr><th>“三公”经费</th>${cells((b) => `<span class="num">${wan(b.sangong_wan)}</span>`)}</tr>` +
    `<tr><th>主要项目</th>${cells(projects)}</tr>` +
    `</tbody></table></div>`;
}

const DOCUMENTS_PER_PAGE = 100;

async function loadDocuments(params, view) {
  view.innerHTML = `<p role="status">加载中…</p>`;
  const page = Math.max(1, Number(params.get("page")) || 1);
  const size = Math.min(1000, Number(params.get("size")) || DOCUMENTS_PER_PAGE);
  let body;
  try {
    body = await api("/api/documents", new URLSearchParams({ page, size }));
  } catch (err) {
    showError(view, err);
    return;
  }
  const pages = Math.ceil(body.total / size);
  const to = (p) => link({ view: "documents", page: p, ...(params.get("size") ? { size } : {}) });
  const pager = `<nav class="pager">${pagerLinks(page, pages, to)}</nav>`;
  view.innerHTML = `<h2>已收录 ${body.total} 份文档</h2>${pager}<table><thead><tr><th>年度</th><th>部门</th><th>区域</th><th>总额</th><th>记录</th></tr></thead><tbody>` +
    body.documents.map((d) => `<tr><td>${escapeHtml(d.year ?? "")}</td>` +
      `<td><a href="${link({ view: "document", id: d.id })}">${escapeHtml(d.department || d.title)}</a></td>` +
      `<td>${escapeHtml(d.district || "")}</td><td class="num">${wan(d.total_wan)}</td><td class="num">${escapeHtml(d.records)}</td></tr>`).join("") +
    `</tbody></table>${pager}`;
}

// ---- suggestions -----------------------------------------------------------------------

let suggestTimer = null;
let suggestIndex = -1;

// The search box is an ARIA combobox: the list is announced as expanded or not, and the
// option chosen with the arrow keys is the input's active descendant (focus stays in the box).
function hideSuggestions() {
  $("suggestions").hidden = true;
  $("suggestions").innerHTML = "";
  $("q").setAttribute("aria-expanded", "false");
  $("q").removeAttribute("aria-activedescendant");
  suggestIndex = -1;
}

function choose(item) {
  hideSuggestions();
  if (item.dataset.kind === "department") {
    go(new URLSearchParams({ view: "department", name: item.dataset.text }));
  } else {
    $("q").value = item.dataset.text;
    $("search-form").requestSubmit();
  }
}

$("q").addEventListener("input", () => {
  clearTimeout(suggestTimer);
  const q = $("q").value.trim();
  if (!q) { hideSuggestions(); return; }
  suggestTimer = setTimeout(async () => {
    let body;
    try {
      body = await api("/api/suggest", new URLSearchParams({ q }));
    } catch (err) {
      hideSuggestions();
      return;
    }
    if ($("q").value.trim() !== q || !body.suggestions.length) { hideSuggestions(); return; }
    $("suggestions").innerHTML = body.suggestions.map((s, i) =>
      `<li role="option" id="suggestion-${i}" aria-selected="false" data-text="${escapeHtml(s.text)}" data-kind="${escapeHtml(s.kind)}">` +
      `${escapeHtml(s.text)}<small>${s.kind === "department" ? "部门" : ""}</small></li>`).join("");
    $("suggestions").hidden = false;
    $("q").setAttribute("aria-expanded", "true");
    for (const item of $("suggestions").children) {
      item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(item); });
    }
  }, 150);
});

$("q").addEventListener("keydown", (event) => {
  const items = [...$("suggestions").children];
  if ($("suggestions").hidden || !items.length) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    suggestIndex = (suggestIndex + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
    items.forEach((item, i) => {
      item.classList.toggle("active", i === suggestIndex);
      item.setAttribute("aria-selected", String(i === suggestIndex));
    });
    $("q").setAttribute("aria-activedescendant", items[suggestIndex].id);
  } else if (event.key === "Enter" && suggestIndex >= 0) {
    event.preventDefault();
    choose(items[suggestIndex]);
  } else if (event.key === "Escape") {
    hideSuggestions();
  }
});
$("q").addEventListener("blur", () => setTimeout(hideSuggestions, 100));

// ---- routing ---------------------------------------------------------------------------

const VIEWS = {
  timeline: loadTimeline, document: loadDocument, department: loadDepartment, documents: loadDocuments,
  compare: loadCompare,
};

// The page's render is observable: <body data-state="loading|ready" data-loaded="?…">. Only
// the latest load sets "ready" (an older one still in flight may finish after it), so a test
// or a script waits for ready with data-loaded equal to the URL's query, never for a time.
let loadSeq = 0;

async function load() {
  const seq = ++loadSeq;
  const params = state();
  document.body.dataset.state = "loading";
  document.body.dataset.loaded = location.search;
  const view = VIEWS[params.get("view")];
  $("q").value = view && params.get("view") !== "timeline" ? "" : (params.get("q") || "");
  $("search-view").hidden = Boolean(view);
  $("other-view").hidden = !view;
  try {
    if (view) {
      await view(params, $("other-view"), () => seq === loadSeq);
    } else {
      await loadSearch(params, () => seq === loadSeq);
    }
  } finally {
    if (seq === loadSeq) document.body.dataset.state = "ready";
  }
}

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  hideSuggestions();
  const next = state();
  const q = $("q").value.trim();
  // a new search from another view starts afresh
  const fresh = next.get("view") ? new URLSearchParams() : next;
  fresh.set("q", q);
  fresh.delete("page");
  go(fresh);
});
$("sort").addEventListener("change", () => {
  const next = state();
  next.set("sort", $("sort").value);
  next.delete("page");
  go(next);
});
// Links within the page ("?view=…") change the URL and render, without reloading the page;
// a new tab or window (a modifier key, a middle click) opens as links do.
document.addEventListener("click", (event) => {
  const anchor = event.target.closest("a[href^='?']");
  if (!anchor || anchor.target || event.button !== 0 ||
      event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  history.pushState(null, "", anchor.getAttribute("href"));
  load();
  window.scrollTo(0, 0);
});
window.addEventListener("popstate", load);
load();
watchIndexing();

// While an indexing run goes on behind the page (`make run` serves at once), a line says how far
// it is; when it ends, the view is loaded again with everything in it.
async function watchIndexing() {
  let status;
  try {
    status = await api("/api/status");
  } catch (err) {
    return;  // no status: nothing to show
  }
  $("synthetic").hidden = !status.synthetic;
  const line = $("indexing");
  if (status.state !== "indexing") {
    if (!line.hidden) {
      line.hidden = true;
      load();
    }
    return;
  }
  line.hidden = false;
  line.textContent = `正在建立索引：已处理 ${status.done} / ${status.total} 个文件，` +
    `${status.records} 条记录；本次新增的结果在索引完成后出现。`;
  setTimeout(watchIndexing, 2000);
}
