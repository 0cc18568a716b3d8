(function () {
  "use strict";
  var list = document.querySelector("ol.blocks");
  var blocks = Array.prototype.slice.call(document.querySelectorAll("li.block"));
  var tools = document.getElementById("tools");
  tools.hidden = false;
  var runs = [];
  (function findRuns() {
    var run = [];
    function close() { if (run.length >= 4) { runs.push(run); } run = []; }
    blocks.forEach(function (b) { if (b.classList.contains("dropped")) { run.push(b); } else { close(); } });
    close();
  })();
  runs.forEach(function (run) {
    var fold = document.createElement("li");
    fold.className = "fold";
    fold.hidden = true;
    fold.textContent = "\u25b8 " + run.length + " dropped blocks (" + run[0].dataset.index + "\u2013" +
      run[run.length - 1].dataset.index + ") \u2014 click to show";
    fold.addEventListener("click", function () { open(run); });
    run[0].parentNode.insertBefore(fold, run[0]);
    run.fold = fold;
  });
  function open(run) {
    run.forEach(function (b) { b.classList.remove("folded"); });
    run.fold.hidden = true;
  }
  function setFold(on) {
    runs.forEach(function (run) {
      run.forEach(function (b) { b.classList.toggle("folded", on); });
      run.fold.hidden = !on;
    });
  }
  function reveal() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (!target) { return; }
    runs.forEach(function (run) { if (run.indexOf(target) >= 0) { open(run); } });
    document.body.classList.remove("hide-dropped");
    hide.checked = false;
    target.scrollIntoView();
  }
  var foldBox = document.getElementById("fold-dropped");
  var hide = document.getElementById("hide-dropped");
  var openAll = document.getElementById("open-features");
  foldBox.addEventListener("change", function () { setFold(foldBox.checked); });
  hide.addEventListener("change", function () { document.body.classList.toggle("hide-dropped", hide.checked); });
  openAll.addEventListener("change", function () {
    blocks.forEach(function (b) { var d = b.querySelector("details"); if (d) { d.open = openAll.checked; } });
  });
  window.addEventListener("hashchange", reveal);
  // Runs of dropped blocks start folded (the first screen shows the page's content); ?fold=0 opens them.
  if (/[?&]fold=0\b/.test(location.search)) { foldBox.checked = false; setFold(false); }
  else { foldBox.checked = true; setFold(true); }
  reveal();

  // What a person sees, for tests and tools: written into #view-summary.
  function shown(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  }
  function look(b) {
    var s = getComputedStyle(b), t = getComputedStyle(b.querySelector(".text"));
    return [s.borderLeftStyle, s.borderLeftColor, t.textDecorationLine, t.color].join("|");
  }
  function alpha(color) {
    var m = /rgba?\(([^)]*)\)/.exec(color);
    if (!m) { return null; }
    var parts = m[1].split(/[ ,\/]+/).filter(Boolean);
    return parts.length > 3 ? parseFloat(parts[3]) : 1;
  }
  var kept = blocks.filter(function (b) { return b.classList.contains("kept"); });
  var dropped = blocks.filter(function (b) { return b.classList.contains("dropped"); });
  var unique = function (xs) { return xs.filter(function (x, i) { return xs.indexOf(x) === i; }); };
  var tints = blocks.map(function (b) { return [parseFloat(b.dataset.p), alpha(getComputedStyle(b).backgroundColor)]; });
  tints.sort(function (a, b) { return a[0] - b[0]; });
  var monotonic = tints.every(function (t, i) { return i === 0 || t[1] >= tints[i - 1][1] - 1e-6; });
  var order = blocks.every(function (b, i) { return b.id === "block-" + i; });
  var reasons = Array.prototype.slice.call(document.querySelectorAll("#reasons tr.reason")).map(function (row) {
    var link = row.querySelector("a.where");
    var target = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    var marks = target ? Array.prototype.slice.call(target.querySelectorAll("mark")).filter(function (m) {
      return (" " + m.dataset.reason + " ").indexOf(" " + row.dataset.code + " ") >= 0;
    }) : [];
    return {
      code: row.dataset.code, shown: shown(row), target: target ? target.id : null,
      marked: marks.length > 0 && marks.every(shown),
      mark_background: marks.length ? getComputedStyle(marks[0]).backgroundColor : null
    };
  });
  var summary = {
    computed: true,
    blocks: blocks.length,
    kept: kept.length,
    dropped: dropped.length,
    visible: blocks.filter(shown).length,
    in_order: order,
    probabilities_shown: blocks.filter(function (b) {
      var p = b.querySelector(".p");
      return p && shown(p) && Math.abs(parseFloat(p.textContent) - parseFloat(b.dataset.p)) < 0.006;
    }).length,
    text_chars: blocks.reduce(function (n, b) { return n + b.querySelector(".text").innerText.length; }, 0),
    kept_styles: unique(kept.map(look)),
    dropped_styles: unique(dropped.map(look)),
    tint_monotonic: monotonic,
    tint_range: tints.length ? [tints[0][1], tints[tints.length - 1][1]] : [],
    features_open: blocks.filter(function (b) { var d = b.querySelector("details"); return d && d.open; }).length,
    features_present: blocks.filter(function (b) { return b.querySelector("details.features li"); }).length,
    score_text: document.getElementById("page-score").innerText,
    reasons: reasons,
    marks: document.querySelectorAll("main mark").length,
    wrong_kept: document.querySelectorAll(".block.wrong-kept").length,
    wrong_dropped: document.querySelectorAll(".block.wrong-dropped").length,
    folded: document.querySelectorAll(".block.folded").length,
    scripts: document.scripts.length,
    images: document.images.length,
    page_width: document.documentElement.scrollWidth,
    viewport_width: window.innerWidth
  };
  var out = document.getElementById("view-summary");
  out.textContent = JSON.stringify(summary).replace(/</g, "\\u003c");
  document.body.setAttribute("data-ready", "1");
})();
