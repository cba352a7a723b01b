// The search page: state lives in the URL, data comes from /api/search only.
"use strict";

const FACETS = { kind: "类型", district: "区域", year: "年度", department: "部门" };
const KIND_NAMES = {
  document: "文档", section: "章节", project: "项目", indicator: "绩效指标", line_item: "预算科目",
};
const $ = (id) => document.getElementById(id);

function escapeHtml(text) {
  const div = document.createElement("div");
  div.textContent = text == null ? "" : String(text);
  return div.innerHTML;
}

function state() {
  return new URLSearchParams(location.search);
}

function go(params) {
  history.pushState(null, "", "?" + params.toString());
  load();
}

function renderFacets(facets, params) {
  const parts = [];
  for (const [name, label] of Object.entries(FACETS)) {
    const values = facets[name] || [];
    if (!values.length) continue;
    parts.push(`<h2>${label}</h2>`);
    for (const v of values) {
      const shown = name === "kind" ? (KIND_NAMES[v.value] || v.value) : v.value;
      parts.push(
        `<label><input type="checkbox" data-facet="${name}" value="${escapeHtml(v.value)}"` +
        `${v.selected ? " checked" : ""}> ${escapeHtml(shown)}` +
        `<span class="count">${v.count}</span></label>`);
    }
  }
  $("facets").innerHTML = parts.join("");
  for (const box of $("facets").querySelectorAll("input[type=checkbox]")) {
    box.addEventListener("change", () => {
      const next = state();
      const name = box.dataset.facet;
      const chosen = next.getAll(name).filter((v) => v !== box.value);
      if (box.checked) chosen.push(box.value);
      next.delete(name);
      chosen.forEach((v) => next.append(name, v));
      next.delete("page");
      go(next);
    });
  }
}

function renderHit(hit) {
  const where = [hit.department, hit.district, hit.year && `${hit.year}年`,
                 hit.page && `第${hit.page}页`].filter(Boolean).map(escapeHtml).join(" · ");
  const path = (hit.path || []).map(escapeHtml).join(" › ");
  const amount = hit.amount_wan != null ? `<span class="amount">${hit.amount_wan} 万元</span>` : "";
  const target = hit.target ? `<span class="amount">目标值 ${escapeHtml(hit.target.raw)}</span>` : "";
  // The snippet is already HTML-escaped by the API, with <mark> around matched words.
  return `<li><div><span class="kind">${escapeHtml(KIND_NAMES[hit.kind] || hit.kind)}</span>` +
    `<span class="title">${escapeHtml(hit.title)}</span>${amount}${target}</div>` +
    `<div class="meta">${where}${path ? " · " + path : ""}</div>` +
    `<div class="snippet">${hit.snippet}</div></li>`;
}

function renderPager(body, params) {
  const pages = Math.ceil(Math.min(body.total, 10000) / body.size);
  const page = body.page;
  const button = (p, text) => `<button data-page="${p}">${text}</button>`;
  $("pager").innerHTML = (page > 1 ? button(page - 1, "上一页") : "") +
    (pages > 1 ? `<span>第 ${page} / ${pages} 页</span>` : "") +
    (page < pages ? button(page + 1, "下一页") : "");
  for (const b of $("pager").querySelectorAll("button")) {
    b.addEventListener("click", () => {
      const next = state();
      next.set("page", b.dataset.page);
      go(next);
      window.scrollTo(0, 0);
    });
  }
}

async function load() {
  const params = state();
  $("q").value = params.get("q") || "";
  $("status").textContent = "搜索中…";
  $("status").className = "";
  let response;
  try {
    response = await fetch("/api/search?" + params.toString());
  } catch (err) {
    $("status").textContent = "无法连接到搜索服务。";
    $("status").className = "error";
    return;
  }
  const body = await response.json();
  if (!response.ok) {
    $("status").textContent = `出错了:${body.error ? body.error.message : response.status}`;
    $("status").className = "error";
    $("hits").innerHTML = "";
    return;
  }
  const q = params.get("q");
  $("status").textContent = q ? `“${q}” 共 ${body.total} 条结果` : `共 ${body.total} 条记录`;
  $("hits").innerHTML = body.hits.map(renderHit).join("");
  renderFacets(body.facets, params);
  renderPager(body, params);
}

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const next = state();
  next.set("q", $("q").value.trim());
  next.delete("page");
  go(next);
});
window.addEventListener("popstate", load);
load();
