// iamwarden HTML report: filters, pages and details over the embedded results. Report text is written with
// textContent only (never parsed as HTML). Performance marks: iw-data-parsed, iw-first-render, iw-search-ready (the
// search text of every result built, in slices after the first render), and a measure "iw-filter" for each filter
// change (filtering plus rebuilding the visible page).
(function () {
  "use strict";
  performance.mark("iw-script-start");
  var R = JSON.parse(document.getElementById("iw-data").textContent);
  performance.mark("iw-data-parsed");

  var ALL = R.findings;
  var CHECKS = R.checks || {};
  var SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  var STATUS_RANK = { fail: 0, unknown: 1, pass: 2, not_applicable: 3 };
  var STATEMENT_KEYS = { statements: true, granting_statements: true };
  var LABEL_KEYS = ["action", "service", "role", "principal", "provider", "policy", "user", "group"];
  var PRACTICE_TITLES = {};
  R.summary.practices.forEach(function (p) { PRACTICE_TITLES[p.number] = p.title; });

  function $(id) { return document.getElementById(id); }
  function meta(f) { return CHECKS[f.check] || {}; }
  function field(f, name) { return f[name] !== undefined ? f[name] : meta(f)[name]; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function isSuppressed(f) { return !!f.suppressed; }
  function statusRank(f) { var r = STATUS_RANK[f.status]; return r === undefined ? 7 : r; }
  function severityRank(f) { var r = SEVERITY_RANK[f.severity]; return r === undefined ? 7 : r; }

  // ---- search text, built after the first render (or on the first search) ----------------------------------
  var haystack = new Array(ALL.length);
  var built = 0;
  function hay(i) {
    var f = ALL[i];
    return [f.check, f.resource, f.resource_type, f.detail, field(f, "title"), f.id, f.status, f.severity,
      JSON.stringify(f.evidence || {})].join("\n").toLowerCase();
  }
  function buildHaystack(limit) {
    var end = Math.min(ALL.length, limit);
    for (; built < end; built++) { haystack[built] = hay(built); }
  }
  function buildInBackground() {
    buildHaystack(built + 5000);
    if (built < ALL.length) { setTimeout(buildInBackground, 0); return; }
    performance.mark("iw-search-ready");
    document.documentElement.dataset.searchReady = "true";
  }

  // ---- state ----------------------------------------------------------------------------------------------
  var state = { text: "", practice: "", severity: "", status: "", suppressed: "", sort: "", dir: 1, page: 0, size: 100 };
  var order = [];   // indexes into ALL, in the current sort order
  var view = [];    // the indexes that pass the filters, in order
  var selected = -1;

  function defaultCompare(a, b) {
    var x = ALL[a], y = ALL[b];
    return (isSuppressed(x) - isSuppressed(y)) ||
      (statusRank(x) - statusRank(y)) ||
      (severityRank(x) - severityRank(y)) ||
      (x.practice - y.practice) || (a - b);
  }
  var KEYS = {
    severity: severityRank,
    status: function (f) { return statusRank(f) * 2 + (isSuppressed(f) ? 1 : 0); },
    practice: function (f) { return f.practice; },
    check: function (f) { return f.check; },
    resource: function (f) { return f.resource; },
    detail: function (f) { return f.detail; }
  };
  // The default order as one number per result (suppressed, status, severity, practice, then position), sorted
  // natively: several times faster than a comparator over 50,000 results.
  var INDEX_BITS = 4194304;  // 2^22 results at most keep their position in the key
  function defaultOrder() {
    var n = ALL.length;
    if (n >= INDEX_BITS) { var slow = []; for (var j = 0; j < n; j++) { slow.push(j); } return slow.sort(defaultCompare); }
    var keys = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      var f = ALL[i];
      var rank = ((isSuppressed(f) ? 1 : 0) * 8 + statusRank(f)) * 8 + severityRank(f);
      keys[i] = (rank * 64 + (f.practice || 0)) * INDEX_BITS + i;
    }
    keys.sort();
    var out = new Array(n);
    for (var k = 0; k < n; k++) { out[k] = keys[k] % INDEX_BITS; }
    return out;
  }
  function sortOrder() {
    if (!state.sort) { order = defaultOrder(); return; }
    order = new Array(ALL.length);
    for (var i = 0; i < ALL.length; i++) { order[i] = i; }
    var key = KEYS[state.sort], dir = state.dir;
    var values = ALL.map(key);
    order.sort(function (a, b) {
      var x = values[a], y = values[b];
      return (x < y ? -dir : x > y ? dir : 0) || defaultCompare(a, b);
    });
  }

  function filter() {
    var text = state.text.trim().toLowerCase();
    var terms = text ? text.split(/\s+/) : [];
    if (terms.length) { buildHaystack(ALL.length); }
    var practice = state.practice ? Number(state.practice) : 0;
    var severity = state.severity, status = state.status, sup = state.suppressed;
    var out = [];
    for (var k = 0; k < order.length; k++) {
      var i = order[k], f = ALL[i];
      if (practice && f.practice !== practice) { continue; }
      if (severity && f.severity !== severity) { continue; }
      if (status && f.status !== status) { continue; }
      if (sup === "hide" && isSuppressed(f)) { continue; }
      if (sup === "only" && !isSuppressed(f)) { continue; }
      if (terms.length) {
        var h = haystack[i], ok = true;
        for (var t = 0; t < terms.length; t++) { if (h.indexOf(terms[t]) < 0) { ok = false; break; } }
        if (!ok) { continue; }
      }
      out.push(i);
    }
    view = out;
  }

  // ---- table ----------------------------------------------------------------------------------------------
  function badge(cls, text, title) {
    var b = el("span", "badge " + cls, text);
    if (title) { b.title = title; }
    return b;
  }
  // A check id that may wrap after its dots and underscores, nowhere else.
  function breakable(parent, text) {
    var parts = text.match(/[^._]*(?:[._]|$)/g).filter(function (x) { return x; });
    for (var p = 0; p < parts.length; p++) {
      if (p) { parent.appendChild(document.createElement("wbr")); }
      parent.appendChild(document.createTextNode(parts[p]));
    }
  }
  function row(i) {
    var f = ALL[i];
    var tr = el("tr");
    tr.tabIndex = 0;
    tr.dataset.index = String(i);
    if (i === selected) { tr.className = "selected"; }
    var sev = el("td", "c-sev");
    sev.appendChild(badge("sev-" + f.severity, f.severity));
    var st = el("td", "c-status");
    st.appendChild(el("span", "st-" + f.status, f.status.replace("_", " ")));
    if (isSuppressed(f)) {
      st.appendChild(document.createTextNode(" "));
      st.appendChild(badge("sup", "suppressed", f.suppressed.reason || "suppressed"));
    } else if (f.suppression_expired) {
      st.appendChild(document.createTextNode(" "));
      st.appendChild(badge("sup-expired", "supp. expired", "suppression expired " + (f.suppression_expired.expires || "")));
    }
    var pr = el("td", "c-practice num", f.practice);
    var ch = el("td", "c-check");
    breakable(ch, f.check);
    ch.title = field(f, "title") || f.check;
    var rs = el("td", "c-resource", f.resource);
    rs.title = f.resource;
    var dt = el("td", "c-detail");
    dt.appendChild(el("span", "clamp", f.detail));
    dt.title = f.detail;
    tr.append(sev, st, pr, ch, rs, dt);
    return tr;
  }
  function pages() { return Math.max(1, Math.ceil(view.length / state.size)); }
  function render() {
    if (state.page >= pages()) { state.page = pages() - 1; }
    var start = state.page * state.size;
    var end = Math.min(view.length, start + state.size);
    var frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) { frag.appendChild(row(view[k])); }
    var tbody = $("rows");
    tbody.replaceChildren(frag);
    var count = $("count");
    count.dataset.count = String(view.length);
    count.dataset.shown = String(end - start);
    var of = view.length === ALL.length ? "" : " (of " + ALL.length.toLocaleString("en-US") + ")";
    count.textContent = view.length
      ? "Showing " + (start + 1).toLocaleString("en-US") + "-" + end.toLocaleString("en-US") + " of " +
        view.length.toLocaleString("en-US") + " results" + of
      : "No results match the filters" + of + ".";
    $("p-info").textContent = "page " + (state.page + 1).toLocaleString("en-US") + " of " + pages().toLocaleString("en-US");
    $("p-first").disabled = $("p-prev").disabled = state.page === 0;
    $("p-next").disabled = $("p-last").disabled = state.page >= pages() - 1;
  }
  function refilter() {
    performance.mark("iw-filter-start");
    filter();
    state.page = 0;
    render();
    performance.mark("iw-filter-end");
    performance.measure("iw-filter", "iw-filter-start", "iw-filter-end");
  }

  // ---- details --------------------------------------------------------------------------------------------
  function section(title) {
    var s = el("section");
    s.appendChild(el("h3", null, title));
    return s;
  }
  function kv(pairs) {
    var dl = el("dl", "kv");
    pairs.forEach(function (p) {
      if (p[1] === undefined) { return; }
      dl.appendChild(el("dt", null, p[0]));
      var dd = el("dd");
      if (p[1] instanceof Node) { dd.appendChild(p[1]); } else { dd.appendChild(value(p[1])); }
      dl.appendChild(dd);
    });
    return dl;
  }
  function isScalar(v) { return v === null || typeof v !== "object"; }
  function scalarText(v) {
    if (v === null) { return "none"; }
    if (v === true) { return "yes"; }
    if (v === false) { return "no"; }
    return String(v);
  }
  function value(v) {
    if (isScalar(v)) { return el("span", typeof v === "string" ? "" : "mono", scalarText(v)); }
    if (Array.isArray(v) && v.length === 0) { return el("span", "muted", "none"); }
    if (Array.isArray(v) && v.every(isScalar)) {
      if (v.length <= 3 && v.join(", ").length < 80) { return el("span", null, v.map(scalarText).join(", ")); }
      var ul = el("ul", "plain");
      v.forEach(function (x) { ul.appendChild(el("li", null, scalarText(x))); });
      return ul;
    }
    return el("pre", null, JSON.stringify(v, null, 2));
  }
  function labelOf(o) {
    for (var k = 0; k < LABEL_KEYS.length; k++) {
      var key = LABEL_KEYS[k];
      if (typeof o[key] === "string" && !STATEMENT_KEYS[key]) { return key + " " + o[key]; }
    }
    return "";
  }
  // Every {policy, statement, detail} under a "statements" or "granting_statements" key, with the labels of the
  // objects around it (the action, service, role or principal it was found for).
  function statementsOf(evidence) {
    var out = [];
    function walk(v, context) {
      if (Array.isArray(v)) { v.forEach(function (x) { walk(x, context); }); return; }
      if (!v || typeof v !== "object") { return; }
      var label = labelOf(v);
      var here = label ? context.concat([label]) : context;
      Object.keys(v).forEach(function (key) {
        var x = v[key];
        if (STATEMENT_KEYS[key] && Array.isArray(x)) {
          x.forEach(function (s) {
            if (s && typeof s === "object" && "policy" in s) { out.push({ context: here.join("; "), s: s }); }
          });
        } else {
          walk(x, here);
        }
      });
    }
    walk(evidence, []);
    return out;
  }
  function statementsTable(found) {
    var table = el("table", "statements");
    var head = el("tr");
    var withContext = found.some(function (x) { return x.context; });
    ["Policy", "Statement", "What it allows"].concat(withContext ? ["For"] : []).forEach(function (h) {
      head.appendChild(el("th", null, h));
    });
    var thead = el("thead");
    thead.appendChild(head);
    var tbody = el("tbody");
    found.forEach(function (x) {
      var tr = el("tr");
      tr.appendChild(el("td", "mono", x.s.policy));
      tr.appendChild(el("td", "mono", x.s.statement === null || x.s.statement === undefined ? "" : x.s.statement));
      tr.appendChild(el("td", null, x.s.detail || ""));
      if (withContext) { tr.appendChild(el("td", "mono", x.context)); }
      tbody.appendChild(tr);
    });
    table.append(thead, tbody);
    return table;
  }
  function suppressionNote(title, s) {
    var box = el("div", "note");
    box.appendChild(el("strong", null, title));
    box.appendChild(kv([["Reason", s.reason], ["Expires", s.expires === null ? "never" : s.expires],
      ["Owner", s.owner === null ? undefined : s.owner], ["From", s.origin]]));
    return box;
  }
  function showDetails(i) {
    var f = ALL[i];
    var m = meta(f);
    selected = i;
    var rows = $("rows").children;
    for (var r = 0; r < rows.length; r++) {
      rows[r].classList.toggle("selected", Number(rows[r].dataset.index) === i);
    }
    $("d-title").textContent = field(f, "title") || f.check;
    var body = el("div");
    var badges = el("p");
    badges.append(badge("sev-" + f.severity, f.severity), el("span", "badge st-" + f.status, f.status.replace("_", " ")));
    if (isSuppressed(f)) { badges.appendChild(badge("sup", "suppressed")); }
    if (f.suppression_expired) { badges.appendChild(badge("sup-expired", "suppression expired")); }
    body.appendChild(badges);
    body.appendChild(kv([
      ["Detail", f.detail],
      ["Resource", el("span", "mono", f.resource)],
      ["Resource type", f.resource_type],
      ["Check", el("span", "mono", f.check)],
      ["Practice", f.practice + ". " + (PRACTICE_TITLES[f.practice] || "")],
      ["Finding id", el("span", "mono", f.id)]
    ]));
    if (isSuppressed(f)) { body.appendChild(suppressionNote("Suppressed: accepted risk, left out of the scores", f.suppressed)); }
    if (f.suppression_expired) {
      body.appendChild(suppressionNote("Suppression expired: this result counts again", f.suppression_expired));
    }
    if (m.why) {
      var why = section("Why it matters");
      why.appendChild(el("p", "why", m.why));
      body.appendChild(why);
    }
    var evidence = f.evidence || {};
    var found = statementsOf(evidence);
    if (found.length) {
      var st = section("Statements that cause it (" + found.length + ")");
      st.id = "d-statements";
      st.appendChild(statementsTable(found));
      body.appendChild(st);
    }
    var ev = section("Evidence");
    ev.id = "d-evidence";
    var keys = Object.keys(evidence);
    if (!keys.length) { ev.appendChild(el("p", "muted", "No evidence recorded.")); }
    ev.appendChild(kv(keys.map(function (k) {
      var v = evidence[k];
      if (STATEMENT_KEYS[k] && Array.isArray(v) && v.length && found.length) {
        return [k, el("span", "muted", v.length + " statement" + (v.length === 1 ? "" : "s") + ", listed above")];
      }
      return [k, v];
    })));
    body.appendChild(ev);
    var rem = field(f, "remediation");
    if (rem) {
      var rs = section("Remediation");
      rs.id = "d-remediation";
      rs.appendChild(el("p", null, rem.summary));
      if (rem.cli && rem.cli.length) {
        rs.appendChild(el("h3", null, "AWS CLI"));
        rs.appendChild(el("pre", "cli", rem.cli.join("\n")));
      }
      if (rem.console && rem.console.length) {
        rs.appendChild(el("h3", null, "Console"));
        var ol = el("ol");
        rem.console.forEach(function (step) { ol.appendChild(el("li", null, step)); });
        rs.appendChild(ol);
      }
      body.appendChild(rs);
    }
    var refs = field(f, "references") || [];
    if (refs.length) {
      var rf = section("References");
      var ul = el("ul", "plain");
      refs.forEach(function (url) {
        var li = el("li");
        if (/^https:\/\//.test(url)) {
          var a = el("a", null, url);
          a.href = url;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          li.appendChild(a);
        } else {
          li.textContent = url;
        }
        ul.appendChild(li);
      });
      rf.appendChild(ul);
      body.appendChild(rf);
    }
    var comp = field(f, "compliance") || {};
    var cs = section("Compliance");
    cs.appendChild(kv([
      ["CIS AWS v6.0.0", (comp.cis_aws_v6 || []).join(", ") || "none"],
      ["Security Hub", (comp.security_hub || []).join(", ") || "none"]
    ]));
    body.appendChild(cs);
    var raw = el("details");
    raw.appendChild(el("summary", null, "Result as JSON"));
    var full = {};
    Object.keys(m).forEach(function (k) { if (k !== "why") { full[k] = m[k]; } });
    Object.keys(f).forEach(function (k) { full[k] = f[k]; });
    raw.appendChild(el("pre", null, JSON.stringify(full, null, 2)));
    body.appendChild(raw);
    $("d-body").replaceChildren(body);
    var panel = $("details");
    panel.hidden = false;
    panel.scrollTop = 0;
    panel.focus();
    if (history.replaceState) { history.replaceState(null, "", "#" + f.id); }
  }
  function closeDetails() {
    $("details").hidden = true;
    var rows = $("rows").children;
    for (var r = 0; r < rows.length; r++) {
      if (Number(rows[r].dataset.index) === selected) { rows[r].focus(); }
      rows[r].classList.remove("selected");
    }
    selected = -1;
    if (history.replaceState) { history.replaceState(null, "", location.pathname + location.search); }
  }

  // ---- wiring ---------------------------------------------------------------------------------------------
  function bindFilter(id, name, eventName) {
    $(id).addEventListener(eventName, function (e) {
      state[name] = e.target.value;
      refilter();
    });
  }
  bindFilter("f-text", "text", "input");
  bindFilter("f-practice", "practice", "change");
  bindFilter("f-severity", "severity", "change");
  bindFilter("f-status", "status", "change");
  bindFilter("f-suppressed", "suppressed", "change");
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  $("filters").addEventListener("reset", function () {
    setTimeout(function () {
      state.text = state.practice = state.severity = state.status = state.suppressed = "";
      refilter();
    }, 0);
  });
  document.querySelectorAll("table.results thead button[data-sort]").forEach(function (b) {
    b.addEventListener("click", function () {
      var key = b.dataset.sort;
      if (state.sort === key && state.dir === -1) { state.sort = ""; state.dir = 1; }
      else if (state.sort === key) { state.dir = -1; }
      else { state.sort = key; state.dir = 1; }
      document.querySelectorAll("table.results thead button[data-sort]").forEach(function (o) {
        if (o === b && state.sort) { o.dataset.dir = String(state.dir); } else { delete o.dataset.dir; }
      });
      sortOrder();
      refilter();
    });
  });
  function go(page) { state.page = Math.max(0, Math.min(pages() - 1, page)); render(); }
  $("p-first").addEventListener("click", function () { go(0); });
  $("p-prev").addEventListener("click", function () { go(state.page - 1); });
  $("p-next").addEventListener("click", function () { go(state.page + 1); });
  $("p-last").addEventListener("click", function () { go(pages() - 1); });
  $("p-size").addEventListener("change", function (e) {
    var first = state.page * state.size;
    state.size = Number(e.target.value);
    go(Math.floor(first / state.size));
  });
  function openRow(e) {
    var tr = e.target.closest("tr");
    if (tr && tr.dataset.index !== undefined) { showDetails(Number(tr.dataset.index)); }
  }
  $("rows").addEventListener("click", openRow);
  $("rows").addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openRow(e); }
  });
  $("d-close").addEventListener("click", closeDetails);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !$("details").hidden) { closeDetails(); }
  });
  function pickPractice(tr) {
    var select = $("f-practice");
    select.value = tr.dataset.practice;
    state.practice = select.value;
    refilter();
    $("results-section").scrollIntoView({ block: "start" });
  }
  document.querySelectorAll(".scores tbody tr[data-practice]").forEach(function (tr) {
    tr.addEventListener("click", function () { pickPractice(tr); });
    tr.addEventListener("keydown", function (e) { if (e.key === "Enter") { pickPractice(tr); } });
  });

  // ---- first render -----------------------------------------------------------------------------------------
  // Filters a browser kept from a previous visit (back/forward) apply from the start.
  state.text = $("f-text").value;
  state.practice = $("f-practice").value;
  state.severity = $("f-severity").value;
  state.status = $("f-status").value;
  state.suppressed = $("f-suppressed").value;
  state.size = Number($("p-size").value) || 100;
  sortOrder();
  filter();
  render();
  performance.mark("iw-first-render");
  document.documentElement.dataset.ready = "true";
  setTimeout(buildInBackground, 0);
  if (location.hash.length > 1) {
    var wanted = decodeURIComponent(location.hash.slice(1));
    for (var i = 0; i < ALL.length; i++) { if (ALL[i].id === wanted) { showDetails(i); break; } }
  }
})();
