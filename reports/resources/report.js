(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("deferlab-data").textContent);
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function symbolOf(group, strategy) {
    var rows = data.groups[group].rows;
    for (var i = 0; i < rows.length; i++) if (rows[i].strategy === strategy) return rows[i].symbol;
    return "";
  }
  function heatOf(group, strategy) {
    var rows = data.groups[group].rows;
    for (var i = 0; i < rows.length; i++) if (rows[i].strategy === strategy) return rows[i].heat;
    return null;
  }
  // Source lines get a stable colour from their file:line, so the same line is the same
  // colour in every listing.
  function sourceColour(key) {
    var h = 0;
    for (var i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
    return "hsl(" + (h % 360) + ", 70%, 45%)";
  }
  function listing(arch, symbol, heat) {
    var f = (data.functions[arch] || {})[symbol];
    var box = el("div");
    if (!f) { box.appendChild(el("p", "note", "No " + arch + " code for this strategy.")); return box; }
    var head = el("div", "fn-head");
    head.appendChild(el("code", "", f.name));
    head.appendChild(document.createTextNode("  " + f.summary));
    box.appendChild(head);
    if (arch !== "x86-64") heat = null;
    box.appendChild(el("p", "note", heat ? "heat: executions per iteration of the timed loop (profile)"
        : arch !== "x86-64" ? arch + ": static only, no profile (valgrind does not run under qemu-user)" : ""));
    var cols = heat ? 4 : 3;
    var table = el("table", "asm");
    var lastSource = "";
    f.insns.forEach(function (i, index) {
      var depth = "|".repeat(Math.min(Math.max(0, i[4] | 0), 64));
      if (i[6] && i[6] !== lastSource) {
        lastSource = i[6];
        var s = el("tr", "src");
        s.appendChild(el("td", "gutter", depth));
        var text = (f.source || {})[i[6]];
        var t = el("td", "", "// " + i[6] + (text ? "    " + text.trim() : ""));
        t.setAttribute("colspan", String(cols));
        t.style.borderLeft = "3px solid " + sourceColour(i[6]);
        s.appendChild(t);
        table.appendChild(s);
      }
      if (i[5]) {
        var l = el("tr", "label");
        l.appendChild(el("td", "gutter", depth));
        var lt = el("td", "", i[5] + ":");
        lt.setAttribute("colspan", String(cols));
        l.appendChild(lt);
        table.appendChild(l);
      }
      var tr = el("tr", i[3].trim());
      tr.appendChild(el("td", "gutter", depth));
      if (heat) tr.appendChild(el("td", "heat", heat[index]));
      tr.appendChild(el("td", "addr", i[0]));
      var code = el("td", "code", i[1]);
      if (i[6]) code.style.borderLeft = "3px solid " + sourceColour(i[6]);
      tr.appendChild(code);
      var note = i[2] ? "; " + i[2] : "";
      var noteCell = el("td", "note", note.length > 90 ? note.slice(0, 87) + "..." : note);
      if (note.length > 90) noteCell.title = note;
      tr.appendChild(noteCell);
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  // Longest common subsequence over the normalised instructions: fine for functions of a
  // few hundred instructions, which hot functions are. Its table takes 4 n m bytes, so
  // pairs above kMaxCells (64 MB) are not aligned here: deferlab diff does it in linear
  // memory.
  var kMaxCells = 16000000;
  function align(a, b) {
    var n = a.length, m = b.length, i, j;
    var dp = [];
    for (i = 0; i <= n; i++) { dp.push(new Int32Array(m + 1)); }
    for (i = n - 1; i >= 0; i--) for (j = m - 1; j >= 0; j--)
      dp[i][j] = a[i][7] === b[j][7] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    var ops = [];
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i][7] === b[j][7]) { ops.push(["eq", a[i++], b[j++]]); }
      else if (j < m && (i === n || dp[i][j + 1] >= dp[i + 1][j])) { ops.push(["ins", null, b[j++]]); }
      else { ops.push(["del", a[i++], null]); }
    }
    return ops;
  }
  function sideBySide(arch, symA, symB, nameA, nameB) {
    var box = el("div");
    var fa = (data.functions[arch] || {})[symA], fb = (data.functions[arch] || {})[symB];
    if (!fa || !fb) return box;
    if ((fa.insns.length + 1) * (fb.insns.length + 1) > kMaxCells) {
      box.appendChild(el("p", "note", "Too large to align in the page (" + fa.insns.length +
                         " and " + fb.insns.length + " instructions): run deferlab diff."));
      return box;
    }
    var ops = align(fb.insns, fa.insns);
    var equal = ops.filter(function (o) { return o[0] === "eq"; }).length;
    var match = 100 * 2 * equal / Math.max(1, fa.insns.length + fb.insns.length);
    box.appendChild(el("h3", "", nameA + " against " + nameB + " (" + arch + "): " + match.toFixed(1) + "% match"));
    var table = el("table", "sbs");
    var head = el("tr");
    head.appendChild(el("th", "", nameB));
    head.appendChild(el("th", "", nameA));
    table.appendChild(head);
    ops.forEach(function (o) {
      var cls = o[0] === "eq" ? "eq" : o[0];
      var tr = el("tr", cls);
      tr.appendChild(el("td", "a", o[1] ? o[1][1] + (o[1][2] ? "  ; " + o[1][2] : "") : ""));
      tr.appendChild(el("td", "b", o[2] ? o[2][1] + (o[2][2] ? "  ; " + o[2][2] : "") : ""));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  function draw(panel) {
    var group = Number(panel.getAttribute("data-group"));
    var a = panel.querySelector(".pick-a").value;
    var b = panel.querySelector(".pick-b").value;
    var arch = panel.querySelector(".pick-arch").value;
    var list = panel.querySelector(".listing");
    var diff = panel.querySelector(".diff");
    list.textContent = "";
    diff.textContent = "";
    list.appendChild(listing(arch, symbolOf(group, a), heatOf(group, a)));
    if (a !== b) diff.appendChild(sideBySide(arch, symbolOf(group, a), symbolOf(group, b), a, b));
  }
  document.querySelectorAll("details.asm-panel").forEach(function (panel) {
    panel.addEventListener("toggle", function () { if (panel.open) draw(panel); });
    panel.querySelectorAll("select").forEach(function (s) {
      s.addEventListener("change", function () { draw(panel); });
    });
  });
  // #asm-all opens every panel (the "open every listing" link, and printing them all).
  function openAll() {
    if (location.hash !== "#asm-all") return;
    document.querySelectorAll("details.asm-panel").forEach(function (p) { p.open = true; draw(p); });
  }
  window.addEventListener("hashchange", openAll);
  openAll();
  document.body.setAttribute("data-ready", "1");
})();
