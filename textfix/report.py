"""A self-contained HTML page to review what textfix did to one text.

Source and clean text side by side; every edit highlighted in both, coloured by rule,
with rule, safety, confidence, note and source offsets on hover; suggestions
underlined in the source; flagged paragraphs (``incomplete``, ``unreadable``,
``replacement-char`` …) marked in the clean text; counts per rule with a checkbox
filter.  No external assets: CSS and JS are inline and the data is embedded as JSON,
which the script turns into DOM text nodes (so nothing from the text is ever parsed as
HTML).
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections import Counter

from .result import Result

#: CSS class of an edit's element in the clean text (one element per edit).
EDIT_CLASS = "tf-edit"


def report_data(result: Result, title: str = "") -> dict:
    """The data the page shows: text, edits with output offsets, suggestions, flags,
    paragraphs and counts per rule."""
    edits = []
    delta = 0
    for i, e in enumerate(result.edits):
        out_start = e.start + delta
        edits.append({
            "i": i, "s": e.start, "e": e.end, "os": out_start, "oe": out_start + len(e.new),
            "old": e.old or "", "new": e.new, "rule": e.rule, "rules": list(e.rules),
            "safety": str(e.safety), "conf": round(e.confidence, 3), "note": e.note,
        })
        delta += len(e.new) - (e.end - e.start)
    suggestions = [{"s": e.start, "e": e.end, "old": e.old or "", "new": e.new, "rule": e.rule,
                    "rules": list(e.rules), "conf": round(e.confidence, 3), "note": e.note}
                   for e in result.suggestions]
    flags = [{"s": f.start, "e": f.end, "name": f.name, "rule": f.rule, "note": f.note,
              "score": f.score} for f in result.flags]
    paragraphs = [{"i": p.index, "s": p.start, "e": p.end, "kind": p.kind,
                   "flags": sorted({f.name for f in p.flags})} for p in result.paragraphs]
    counts: Counter = Counter()
    sugg_counts: Counter = Counter()
    for e in result.edits:
        counts.update(e.rules)
    for e in result.suggestions:
        sugg_counts.update(e.rules)
    rules = sorted(set(counts) | set(sugg_counts) | {f.rule for f in result.flags if f.rule})
    flag_counts = Counter(f.rule for f in result.flags)
    return {
        "title": title, "source": result.source, "text": result.text, "edits": edits,
        "suggestions": suggestions, "flags": flags, "paragraphs": paragraphs,
        "rules": [{"name": r, "edits": counts[r], "suggestions": sugg_counts[r], "flags": flag_counts[r]}
                  for r in rules],
    }


def _script_json(data: dict) -> str:
    """JSON safe inside a ``<script>`` element."""
    s = json.dumps(data, ensure_ascii=False)
    return (s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render(result: Result, title: str = "") -> str:
    """The HTML page for ``result``."""
    data = report_data(result, title)
    n_flagged = sum(1 for p in result.paragraphs if p.flags)
    heading = html.escape(title or "textfix review")
    stats = html.escape(
        f"{len(result.edits)} edits, {len(result.suggestions)} suggestions, {len(result.flags)} flags "
        f"({n_flagged} flagged paragraphs); {len(result.source)} → {len(result.text)} characters")
    return _PAGE.replace("__TITLE__", heading).replace("__STATS__", stats).replace(
        "__DATA__", _script_json(data)).replace("__EDIT_CLASS__", EDIT_CLASS)


def write_report(result: Result, path: str, title: str = "") -> None:
    """Write the page to ``path`` atomically."""
    page = render(result, title)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_PAGE = r"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; margin: 0; color: #222; background: #fafafa; }
header { padding: 10px 16px; background: #2d3e50; color: #fff; }
header h1 { font-size: 18px; margin: 0 0 4px 0; }
header p { margin: 0; font-size: 13px; opacity: .85; }
#rules { padding: 8px 16px; border-bottom: 1px solid #ddd; background: #fff; font-size: 13px; }
#rules label { display: inline-block; margin: 2px 14px 2px 0; white-space: nowrap; cursor: pointer; }
#rules .sw { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin-right: 4px; border: 1px solid #0002; }
#rules .n { color: #666; }
#legend { font-size: 12px; color: #555; padding: 4px 16px; }
main { display: grid; grid-template-columns: 1fr 1fr; gap: 0; }
section { padding: 8px 16px; min-width: 0; }
section + section { border-left: 1px solid #ddd; }
section h2 { font-size: 14px; margin: 4px 0 8px; color: #555; }
.pane { white-space: pre-wrap; word-break: break-all; line-height: 1.7; font-size: 15px; }
.tf-edit, .tf-src { border-radius: 2px; padding: 0 1px; cursor: help; }
.tf-src { text-decoration: line-through; text-decoration-color: #0006; }
.tf-mark { font-size: 11px; color: #a00; vertical-align: super; }
.tf-sugg { border-bottom: 2px dotted #c60; cursor: help; }
.tf-para { display: inline; }
.tf-para.flagged { background: #fff3f0; outline: 1px dashed #d66; }
.tf-badge { display: inline-block; font-size: 11px; background: #d66; color: #fff; border-radius: 3px; padding: 0 4px; margin-right: 4px; white-space: nowrap; }
.off { background: none !important; text-decoration: none; }
#lists { padding: 8px 16px 24px; font-size: 13px; }
#lists li { margin: 2px 0; }
code { background: #eee; padding: 0 2px; }
</style>
</head>
<body>
<header><h1>__TITLE__</h1><p id="stats">__STATS__</p></header>
<div id="rules"></div>
<div id="legend">Highlighted: edits (colour = rule; struck through in the source, new text in the clean text; + an insertion, × a deletion, ↵ a change of line breaks or spaces). Dotted underline: suggestions (not applied). Dashed box: flagged paragraph. Hover for details.</div>
<noscript><p style="padding:16px">This review page needs JavaScript to show the text.</p></noscript>
<main>
<section><h2>Source</h2><div class="pane" id="source"></div></section>
<section><h2>Clean</h2><div class="pane" id="clean"></div></section>
</main>
<div id="lists"></div>
<script type="application/json" id="tf-data">__DATA__</script>
<script>
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("tf-data").textContent);
  var EDIT = "__EDIT_CLASS__";
  var ruleIndex = {};
  D.rules.forEach(function (r, i) { ruleIndex[r.name] = i; });
  function colour(name) {
    var i = ruleIndex[name] || 0;
    return "hsl(" + Math.round((i * 137.508) % 360) + ", 75%, 80%)";
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function show(s) { return JSON.stringify(s); }
  function editTitle(ed) {
    return ed.rule + " (" + ed.safety + ", confidence " + ed.conf + ")\n" + show(ed.old) + " → " + show(ed.new) +
      "\nsource " + ed.s + "–" + ed.e + (ed.note ? "\n" + ed.note : "");
  }
  function ruleClasses(rules) { return rules.map(function (r) { return "r" + ruleIndex[r]; }).join(" "); }
  function styleEdit(node, ed) {
    node.style.background = colour(ed.rules[0]);
    node.dataset.edit = ed.i;
    node.dataset.rule = ed.rule;
    node.title = editTitle(ed);
  }

  // Source pane: text split at edit and suggestion boundaries.
  (function () {
    var src = D.source, pane = document.getElementById("source");
    var cuts = {0: 1}; cuts[src.length] = 1;
    D.edits.forEach(function (e) { cuts[e.s] = 1; cuts[e.e] = 1; });
    D.suggestions.forEach(function (e) { cuts[e.s] = 1; cuts[e.e] = 1; });
    var pts = Object.keys(cuts).map(Number).sort(function (a, b) { return a - b; });
    var byStart = {};
    D.edits.forEach(function (e) { (byStart[e.s] = byStart[e.s] || []).push(e); });
    var ei = 0, edits = D.edits;
    for (var k = 0; k < pts.length; k++) {
      var a = pts[k], b = k + 1 < pts.length ? pts[k + 1] : a;
      (byStart[a] || []).forEach(function (ed) {
        if (ed.s === ed.e) {
          var m = el("span", "tf-src tf-mark " + ruleClasses(ed.rules), "+");
          styleEdit(m, ed); pane.appendChild(m);
        }
      });
      if (b <= a) continue;
      while (ei < edits.length && edits[ei].e <= a) ei++;
      var ed = ei < edits.length && edits[ei].s <= a && edits[ei].e >= b && edits[ei].s < edits[ei].e ? edits[ei] : null;
      var sg = D.suggestions.filter(function (s) { return s.s <= a && s.e >= b; });
      var node;
      if (ed) {
        node = el("span", "tf-src " + ruleClasses(ed.rules), src.slice(a, b)); styleEdit(node, ed);
        if (a === ed.s && !/\S/.test(ed.old)) { var ws = el("span", "tf-mark " + ruleClasses(ed.rules), "↵"); styleEdit(ws, ed); pane.appendChild(ws); }
      }
      else node = document.createTextNode(src.slice(a, b));
      if (sg.length) {
        var w = el("span", "tf-sugg " + ruleClasses(sg[0].rules));
        w.title = sg.map(function (s) {
          return "suggestion " + s.rule + " (confidence " + s.conf + ")\n" + show(s.old) + " → " + show(s.new) +
            "\nsource " + s.s + "–" + s.e + (s.note ? "\n" + s.note : "");
        }).join("\n\n");
        w.appendChild(node); node = w;
      }
      pane.appendChild(node);
    }
  })();

  // Clean pane: paragraphs (flagged ones boxed), each edit's new text highlighted once.
  (function () {
    var txt = D.text, pane = document.getElementById("clean");
    var paras = D.paragraphs, edits = D.edits;
    var cuts = {0: 1}; cuts[txt.length] = 1;
    paras.forEach(function (p) { cuts[p.s] = 1; cuts[p.e] = 1; });
    edits.forEach(function (e) { cuts[e.os] = 1; cuts[e.oe] = 1; });
    var pts = Object.keys(cuts).map(Number).sort(function (a, b) { return a - b; });
    var shown = {};
    var pi = 0, container = pane, current = null;
    function paraAt(pos) {
      while (pi < paras.length && paras[pi].e <= pos) pi++;
      return pi < paras.length && paras[pi].s <= pos && pos < paras[pi].e ? paras[pi] : null;
    }
    function target(p) {
      if (p === current) return container;
      current = p;
      if (!p) { container = pane; return container; }
      var div = el("span", "tf-para" + (p.flags.length ? " flagged" : ""));
      div.dataset.kind = p.kind;
      if (p.flags.length) {
        p.flags.forEach(function (f) { div.appendChild(el("span", "tf-badge", f)); });
        div.title = "paragraph " + p.i + " (" + p.kind + "): " + p.flags.join(", ");
      }
      pane.appendChild(div); container = div; return div;
    }
    var ei = 0, ci = 0;
    for (var k = 0; k < pts.length; k++) {
      var a = pts[k], b = k + 1 < pts.length ? pts[k + 1] : a;
      var box = target(paraAt(a));
      // deletions (and edits whose new text is empty) leave a marker where they were
      while (ei < edits.length && edits[ei].os < a) ei++;
      for (var j = ei; j < edits.length && edits[j].os === a; j++) {
        var ed = edits[j];
        if (ed.os === ed.oe && !shown[ed.i]) {
          var m = el("span", EDIT + " tf-mark " + ruleClasses(ed.rules), "×");
          styleEdit(m, ed); box.appendChild(m); shown[ed.i] = 1;
        }
      }
      if (b <= a) continue;
      while (ci < edits.length && edits[ci].oe <= a) ci++;
      var cover = ci < edits.length && edits[ci].os <= a && edits[ci].oe >= b ? edits[ci] : null;
      var node;
      if (cover) {
        node = el("span", (shown[cover.i] ? "tf-edit-cont " : EDIT + " ") + ruleClasses(cover.rules), txt.slice(a, b));
        styleEdit(node, cover); shown[cover.i] = 1;
      } else node = document.createTextNode(txt.slice(a, b));
      box.appendChild(node);
    }
  })();

  // Counts per rule with a filter.
  (function () {
    var bar = document.getElementById("rules");
    var css = el("style"); document.head.appendChild(css);
    var hidden = {};
    function update() {
      css.textContent = Object.keys(hidden).map(function (i) {
        return ".r" + i + " { background: none !important; text-decoration: none; border-bottom-color: transparent; }";
      }).join("\n");
    }
    if (!D.rules.length) bar.appendChild(el("span", "n", "No edits, suggestions or flags."));
    D.rules.forEach(function (r, i) {
      var lab = el("label"); var cb = el("input"); cb.type = "checkbox"; cb.checked = true; cb.dataset.rule = r.name;
      cb.addEventListener("change", function () { if (cb.checked) delete hidden[i]; else hidden[i] = 1; update(); });
      var sw = el("span", "sw"); sw.style.background = colour(r.name);
      lab.appendChild(cb); lab.appendChild(sw); lab.appendChild(el("span", "", r.name + " "));
      lab.appendChild(el("span", "n", r.edits + " edits" + (r.suggestions ? ", " + r.suggestions + " suggestions" : "") +
        (r.flags ? ", " + r.flags + " flags" : "")));
      bar.appendChild(lab);
    });
  })();

  // Lists of suggestions and flags.
  (function () {
    var box = document.getElementById("lists");
    function list(title, items, fmt) {
      if (!items.length) return;
      box.appendChild(el("h3", "", title + " (" + items.length + ")"));
      var ul = el("ul"); items.forEach(function (x) { ul.appendChild(el("li", "", fmt(x))); }); box.appendChild(ul);
    }
    list("Suggestions", D.suggestions, function (s) { return s.s + "–" + s.e + " " + s.rule + ": " + show(s.old) + " → " + show(s.new) + (s.note ? "  " + s.note : ""); });
    list("Flags", D.flags, function (f) { return f.s + "–" + f.e + " " + f.name + " (" + f.rule + ")" + (f.note ? "  " + f.note : ""); });
  })();
  document.body.dataset.edits = document.querySelectorAll("#clean ." + EDIT).length;
})();
</script>
</body>
</html>
"""
