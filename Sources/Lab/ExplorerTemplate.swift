extension ExplorerPage {
    /// The page around the model: {{TITLE}}, {{MODEL}} (JSON) and {{WEIGHTS}} (base64 Float32,
    /// little-endian) are filled in. The forward pass mirrors the Swift layers' formulas:
    ///   dense  y[o] = f(b[o] + Σ_i W[o, i] x[i])                     (W is (out, in), as nn.Linear)
    ///   bn     y = f(γ (x - running mean) / sqrt(running var + ε) + β)  (per channel)
    ///   tconv  y[o, s·i - p + u, s·j - p + v] += W[c, o, u, v] x[c, i, j], then f(· + b[o])
    static let template = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{TITLE}}</title>
        <style>
        body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem 2rem; color: #1d2330; background: #fafaf7; max-width: 1100px; }
        h1 { font-size: 1.5rem; margin: 0 0 .2rem; } .details { color: #555; margin: 0 0 1rem; }
        .row { display: flex; gap: 2rem; flex-wrap: wrap; align-items: flex-start; } .row > div:first-child { width: 284px; } #padBox { width: 362px; }
        canvas { border: 1px solid #c9ccd3; background: #000; }
        #image { image-rendering: pixelated; width: 280px; height: 280px; }
        #pad { background: #fff; cursor: crosshair; touch-action: none; }
        .slider { display: grid; grid-template-columns: 3rem 12rem 3.5rem; align-items: center; font-variant-numeric: tabular-nums; }
        #error { color: #a40000; font-weight: 600; } h2 { font-size: 1.1rem; margin: 1.4rem 0 .3rem; }
        #strip canvas, #original { width: 56px; height: 56px; image-rendering: pixelated; margin: 0 .3rem .3rem 0; cursor: pointer; vertical-align: middle; } button { margin: .6rem .4rem 0 0; }
        .legend span { display: inline-block; margin-right: .8rem; font-size: 13px; } .legend i { display: inline-block; width: .7rem; height: .7rem; margin-right: .25rem; }
        </style></head><body>
        <h1 id="title"></h1><p class="details" id="details"></p>
        <p id="error" hidden></p>
        <div class="row">
          <div><canvas id="image"></canvas><br>
            <button id="sample">Draw a prior sample</button><button id="zero">Zero code</button>
            <p class="details" id="about"></p></div>
          <div id="padBox" hidden><canvas id="pad" width="360" height="360"></canvas><div class="legend" id="legend"></div>
            <p class="details">Drag over the plane: the test images' codes are scattered underneath, coloured by class.</p></div>
          <div id="sliders"></div>
        </div>
        <div id="stripBox" hidden><h2>Test images</h2>
          <p class="details" id="stripAbout"></p><div id="strip"></div>
          <p class="details">Clicked: <canvas id="original"></canvas> the image, its decode above.</p></div>
        <h2>Interpolation</h2>
        <p class="details">Set two codes as the ends (a prior sample, a clicked test image, the sliders), then scrub between them.</p>
        <button id="setA">Set A = this code</button><button id="setB">Set B = this code</button>
        <select id="path"><option value="linear">linear</option><option value="slerp">slerp</option></select>
        <label class="slider" style="display:inline-grid">t <input id="t" type="range" min="0" max="1" step="0.01" value="0"> <span id="tValue">0.00</span></label>
        <pre id="pixels" hidden></pre>
        <script>
        "use strict";
        const M = {{MODEL}};
        const W = (() => { const b = atob("{{WEIGHTS}}"); const u = new Uint8Array(b.length);
          for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return new Float32Array(u.buffer); })();
        const $ = id => document.getElementById(id);
        $("title").textContent = M.name + ": live latent explorer";
        $("details").textContent = M.details;
        $("about").textContent = M.prior === "uniform"
          ? "Sliders span each code unit's range in training; a prior sample is uniform in it."
          : "Sliders span ±3 standard deviations of each unit's prior (N(0, I), or each component's own variance for PCA); a prior sample is drawn from it.";

        function act(a, x) {
          switch (a[0]) {
            case "relu": return x > 0 ? x : 0;
            case "leaky": return x > 0 ? x : a[1] * x;
            case "tanh": return Math.tanh(x);
            case "sigmoid": return 1 / (1 + Math.exp(-x));
            default: return x;
          }
        }
        function forward(z) {
          let x = Float64Array.from(z);
          for (const op of M.ops) {
            if (op.op === "dense") {
              const y = new Float64Array(op.out);
              for (let o = 0; o < op.out; o++) {
                let s = W[op.b + o]; const row = op.w + o * op.in;
                for (let i = 0; i < op.in; i++) s += W[row + i] * x[i];
                y[o] = act(op.act, s);
              }
              x = y;
            } else if (op.op === "bn") {
              for (let c = 0; c < op.c; c++) {
                const scale = W[op.g + c] / Math.sqrt(W[op.v + c] + op.eps), shift = W[op.b + c] - scale * W[op.m + c];
                for (let k = 0; k < op.s; k++) x[c * op.s + k] = act(op.act, scale * x[c * op.s + k] + shift);
              }
            } else if (op.op === "tconv") {
              const y = new Float64Array(op.cout * op.oh * op.ow), k = op.k;
              for (let c = 0; c < op.cin; c++) for (let i = 0; i < op.h; i++) for (let j = 0; j < op.w; j++) {
                const v = x[(c * op.h + i) * op.w + j];
                for (let o = 0; o < op.cout; o++) for (let u = 0; u < k; u++) {
                  const r = op.s * i - op.p + u; if (r < 0 || r >= op.oh) continue;
                  for (let t = 0; t < k; t++) {
                    const q = op.s * j - op.p + t; if (q < 0 || q >= op.ow) continue;
                    y[(o * op.oh + r) * op.ow + q] += W[op.wt + ((c * op.cout + o) * k + u) * k + t] * v;
                  }
                }
              }
              const plane = op.oh * op.ow;
              for (let o = 0; o < op.cout; o++) for (let n = 0; n < plane; n++) y[o * plane + n] = act(op.act, y[o * plane + n] + W[op.b + o]);
              x = y;
            } else if (op.op === "act") {
              for (let n = 0; n < x.length; n++) x[n] = act(op.act, x[n]);
            }
          }
          return x.map(v => M.output === "logits" ? 1 / (1 + Math.exp(-v)) : M.output === "clamped" ? Math.min(Math.max(v, 0), 1) : (v + 1) / 2);
        }

        const z = new Float64Array(M.latent);
        const image = $("image"); image.width = M.width; image.height = M.height;
        function draw() {
          const p = forward(z), g = image.getContext("2d"), d = g.createImageData(M.width, M.height), plane = M.width * M.height;
          let hex = "";
          for (let n = 0; n < plane; n++) for (let c = 0; c < 3; c++) {
            const v = Math.round(Math.min(1, Math.max(0, p[(M.channels === 3 ? c : 0) * plane + n])) * 255);
            d.data[4 * n + c] = v;
            if (c < M.channels) hex += v.toString(16).padStart(2, "0");
          }
          for (let n = 0; n < plane; n++) d.data[4 * n + 3] = 255;
          g.putImageData(d, 0, 0);
          $("pixels").textContent = hex;
          for (let i = 0; i < shown; i++) { sliders[i].value = z[i]; labels[i].textContent = z[i].toFixed(2); }
          drawPad();
        }

        const shown = Math.min(M.latent, 16), sliders = [], labels = [];
        for (let i = 0; i < shown; i++) {
          const row = document.createElement("label"); row.className = "slider";
          const name = document.createElement("span"); name.textContent = "z" + (i + 1);
          const s = document.createElement("input"); s.type = "range"; s.min = M.low[i]; s.max = M.high[i]; s.step = (M.high[i] - M.low[i]) / 200;
          const value = document.createElement("span");
          s.addEventListener("input", () => { z[i] = parseFloat(s.value); draw(); });
          row.append(name, s, value); $("sliders").append(row); sliders.push(s); labels.push(value);
        }
        if (M.latent > shown) {
          const note = document.createElement("p"); note.className = "details";
          note.textContent = "Sliders for the first " + shown + " of " + M.latent + " units; a prior sample or #z=… sets them all.";
          $("sliders").append(note);
        }
        function normal() { let u = 0; while (u === 0) u = Math.random(); return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random()); }
        $("sample").onclick = () => {
          for (let i = 0; i < M.latent; i++) z[i] = M.prior === "uniform" ? M.low[i] + Math.random() * (M.high[i] - M.low[i])
                                                 : (M.low[i] + M.high[i]) / 2 + normal() * (M.high[i] - M.low[i]) / 6;
          draw();
        };
        $("zero").onclick = () => { z.fill(0); draw(); };

        const colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
        const pad = $("pad");
        function toPad(a, b) { return [(a - M.low[0]) / (M.high[0] - M.low[0]) * pad.width, (1 - (b - M.low[1]) / (M.high[1] - M.low[1])) * pad.height]; }
        function drawPad() {
          if (M.latent !== 2) return;
          const g = pad.getContext("2d"); g.clearRect(0, 0, pad.width, pad.height);
          if (M.points) for (let n = 0; n < M.labels.length; n++) {
            const [a, b] = toPad(M.points[2 * n], M.points[2 * n + 1]);
            g.fillStyle = colours[M.labels[n] % colours.length]; g.globalAlpha = 0.55; g.fillRect(a - 1.5, b - 1.5, 3, 3);
          }
          g.globalAlpha = 1; const [a, b] = toPad(z[0], z[1]);
          g.strokeStyle = "#000"; g.lineWidth = 2; g.beginPath(); g.arc(a, b, 7, 0, 2 * Math.PI); g.stroke();
        }
        if (M.latent === 2) {
          $("padBox").hidden = false;
          if (M.classes) $("legend").innerHTML = M.classes.map((c, i) => '<span><i style="background:' + colours[i % colours.length] + '"></i>' + c.replace(/</g, "&lt;") + "</span>").join("");
          let dragging = false;
          const move = e => {
            const r = pad.getBoundingClientRect();
            z[0] = M.low[0] + (e.clientX - r.left) / r.width * (M.high[0] - M.low[0]);
            z[1] = M.low[1] + (1 - (e.clientY - r.top) / r.height) * (M.high[1] - M.low[1]);
            draw();
          };
          pad.addEventListener("pointerdown", e => { dragging = true; pad.setPointerCapture(e.pointerId); move(e); });
          pad.addEventListener("pointermove", e => { if (dragging) move(e); });
          pad.addEventListener("pointerup", () => { dragging = false; });
        }

        // The strip: test images and the codes gen's encoder gave them.
        const plane = M.width * M.height;
        function paint(canvas, pixels) {
          canvas.width = M.width; canvas.height = M.height;
          const g = canvas.getContext("2d"), d = g.createImageData(M.width, M.height);
          for (let n = 0; n < plane; n++) { for (let c = 0; c < 3; c++) d.data[4 * n + c] = pixels[(M.channels === 3 ? c : 0) * plane + n]; d.data[4 * n + 3] = 255; }
          g.putImageData(d, 0, 0);
        }
        const strip = M.strip ? Uint8Array.from(atob(M.strip), ch => ch.charCodeAt(0)) : null;
        function pickTest(k) {
          for (let i = 0; i < M.latent; i++) z[i] = M.stripCodes[k * M.latent + i];
          paint($("original"), strip.subarray(k * plane * M.channels, (k + 1) * plane * M.channels));
        }
        if (strip) {
          $("stripBox").hidden = false;
          $("stripAbout").textContent = M.prior === "uniform"
            ? "Click an image to decode its code: the decoder was trained on codes like these. A random code (the button above, uniform in each unit's [min, max]) mostly lands between them, where it never was."
            : "Click an image to decode its code (for a VAE, the posterior mean).";
          for (let k = 0; k < M.stripCodes.length / M.latent; k++) {
            const c = document.createElement("canvas");
            paint(c, strip.subarray(k * plane * M.channels, (k + 1) * plane * M.channels));
            c.title = "test image " + k; c.onclick = () => { pickTest(k); draw(); };
            $("strip").append(c);
          }
        }
        if (M.prior === "uniform") $("sample").textContent = "Random code (uniform in [min, max])";

        // Interpolation between two codes, as gen's LatentPath: (1 - t) a + t b, or slerp.
        let ends = [null, null];
        function along(a, b, t, path) {
          let wa = 1 - t, wb = t;
          if (path === "slerp") {
            let dot = 0, na = 0, nb = 0;
            for (let j = 0; j < a.length; j++) { dot += a[j] * b[j]; na += a[j] * a[j]; nb += b[j] * b[j]; }
            const omega = Math.acos(Math.max(-1, Math.min(1, dot / Math.max(Math.sqrt(na * nb), 1e-12))));
            if (omega > 1e-4) { wa = Math.sin((1 - t) * omega) / Math.sin(omega); wb = Math.sin(t * omega) / Math.sin(omega); }
          }
          return a.map((v, j) => wa * v + wb * b[j]);
        }
        function scrub() {
          const t = parseFloat($("t").value); $("tValue").textContent = t.toFixed(2);
          if (!ends[0] || !ends[1]) return;
          along(ends[0], ends[1], t, $("path").value).forEach((v, i) => { z[i] = v; });
          draw();
        }
        $("setA").onclick = () => { ends[0] = Float64Array.from(z); $("setA").textContent = "A set ✓"; };
        $("setB").onclick = () => { ends[1] = Float64Array.from(z); $("setB").textContent = "B set ✓"; };
        $("t").addEventListener("input", scrub); $("path").addEventListener("change", scrub);

        // The address sets the state: #z=0.5,-1.2,… (exactly M.latent finite numbers), #test=K (a strip
        // image), or #a=…&b=…&t=0.3&path=slerp (a point on a path). Anything else: a visible message.
        function codeFrom(text, what) {
          const parts = decodeURIComponent(text).split(",").map(Number);
          if (parts.length !== M.latent || parts.some(v => !Number.isFinite(v)))
            throw new Error("The address gives " + what + "=" + text + ": the code needs " + M.latent + " finite numbers separated by commas");
          return parts;
        }
        function fromHash() {
          if (location.hash.length < 2) return true;
          const fields = {};
          for (const part of location.hash.slice(1).split("&")) { const i = part.indexOf("="); fields[i < 0 ? part : part.slice(0, i)] = i < 0 ? "" : part.slice(i + 1); }
          try {
            if ("z" in fields) {
              codeFrom(fields.z, "#z").forEach((v, i) => { z[i] = v; });
            } else if ("test" in fields) {
              const k = Number(fields.test);
              if (!strip || !Number.isInteger(k) || k < 0 || k >= M.stripCodes.length / M.latent) throw new Error("The address gives #test=" + fields.test + ": no such test image in the strip");
              pickTest(k);
            } else if ("a" in fields && "b" in fields) {
              const t = Number(fields.t ?? 0), path = fields.path ?? "linear";
              if (!(t >= 0 && t <= 1) || !["linear", "slerp"].includes(path)) throw new Error("The address gives t=" + fields.t + ", path=" + path + ": t must be in [0, 1] and the path linear or slerp");
              ends = [Float64Array.from(codeFrom(fields.a, "a")), Float64Array.from(codeFrom(fields.b, "b"))];
              $("t").value = t; $("path").value = path;
              along(ends[0], ends[1], t, path).forEach((v, i) => { z[i] = v; });
            } else {
              throw new Error("The address gives " + location.hash + ": use #z=…, #test=K or #a=…&b=…&t=…&path=…");
            }
          } catch (e) {
            $("error").hidden = false;
            $("error").textContent = e.message + "; showing the zero code.";
            z.fill(0);
            return false;
          }
          return true;
        }
        fromHash();
        window.addEventListener("hashchange", () => { $("error").hidden = true; fromHash(); draw(); });
        draw();
        </script></body></html>
        """#
}
