extension DiffusionExplorerPage {
    /// The page around the model: {{TITLE}}, {{MODEL}} (JSON) and {{WEIGHTS}} (base64 Float32,
    /// little-endian) are filled in. The JavaScript mirrors the Swift formulas, in Float64:
    ///   conv   y[o, i, j] = b[o] + Σ_c,u,v W[o, c, u, v] x[c, s·i − p + u, s·j − p + v]   (nn.Conv2d),
    ///          as im2col and a product
    ///   gn     y = γ (x − mean) / √(var + ε) + β, mean and var over each group of channels of an image
    ///   dense  y[o] = b[o] + Σ_i W[o, i] x[i]                                           (nn.Linear)
    ///   e(t)   [sin(t · 10000^(−i/(E/2 − 1))), cos(…)], i < E/2                         (writeTimestepEmbedding)
    ///   the U-Net of UNetDenoiser.predictNoise, block by block, by the layers' names;
    ///   DDIM of DiffusionModel.denoiseDeterministically: x̂_0 clipped to [−1, 1], ε made
    ///   consistent with it, x_t' = √ᾱ_t' x̂_0 + √(1 − ᾱ_t') ε.
    static let template = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{TITLE}}</title>
        <style>
        body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem 2rem; color: #1d2330; background: #fafaf7; max-width: 1100px; }
        h1 { font-size: 1.5rem; margin: 0 0 .2rem; } .details { color: #555; margin: 0 0 1rem; max-width: 760px; }
        h2 { font-size: 1.1rem; margin: 1.4rem 0 .3rem; } #error { color: #a40000; font-weight: 600; }
        .row { display: flex; gap: 2rem; flex-wrap: wrap; align-items: flex-start; } .row > div:first-child { width: 300px; }
        canvas { border: 1px solid #c9ccd3; background: #000; image-rendering: pixelated; }
        #image { width: 280px; height: 280px; } button, select { margin: .5rem .4rem 0 0; font: inherit; }
        .strip { display: flex; gap: 3px; align-items: center; margin-bottom: 3px; font-size: 12px; color: #555; }
        .strip canvas { width: 42px; height: 42px; } .strip span { width: 2.2rem; } #timing { font-variant-numeric: tabular-nums; }
        .slider { display: inline-grid; grid-template-columns: 1.2rem 12rem 3rem; align-items: center; font-variant-numeric: tabular-nums; }
        </style></head><body>
        <h1 id="title"></h1><p class="details" id="details"></p>
        <p id="error" hidden></p>
        <div class="row">
          <div><canvas id="image"></canvas><br>
            <button id="noise">New noise x_T</button>
            <label>DDIM steps <select id="steps"></select></label>
            <p id="timing" class="details"></p></div>
          <div><p class="details">A sample is pure noise x_T denoised step by step. At each step the network predicts the
            noise ε̂ in x_t, which gives an estimate of the clean image, x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t, clipped to the
            pixels' range; the next, less noisy x_t′ = √ᾱ_t′ x̂_0 + √(1 − ᾱ_t′) ε, with ε the noise that fits the clipped
            x̂_0 (DDIM, deterministic: the same x_T and steps always give the same image). The rows below: x_t and x̂_0 at the
            steps shown (every step up to 16 of them), from t = T on the left, then the sample.</p>
            <div class="strip" id="xt"><span>x_t</span></div><div class="strip" id="x0"><span>x̂_0</span></div>
            <p class="details" id="shownSteps"></p></div>
        </div>
        <h2>Interpolation between two noises</h2>
        <p class="details">Set two noises as the ends, then move between them by slerp, which keeps the norm about that of
          Gaussian noise (√784 ≈ 28 for 28 × 28 pixels); the straight line's midpoint has a norm √2 smaller, noise the
          network never saw at t = T.</p>
        <button id="setA">Set A = this noise</button><button id="setB">Set B = this noise</button>
        <label class="slider">t <input id="t" type="range" min="0" max="1" step="0.01" value="0"> <span id="tValue">0.00</span></label>
        <p class="details">The address sets the noise when the page opens or the address changes: #seed=K (a noise from this
          page's own generator, not gen's), #z=… (all of x_T's numbers), or #a=…&amp;b=…&amp;t=0.3 (each end a seed or a
          whole x_T), with &amp;steps=N. "New noise" and the steps menu write it.</p>
        <pre id="pixels" hidden></pre><pre id="firstPrediction" hidden></pre>
        <script>
        "use strict";
        const M = {{MODEL}};
        const W = (() => { const b = atob("{{WEIGHTS}}"); const u = new Uint8Array(b.length);
          for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return new Float32Array(u.buffer); })();
        const $ = id => document.getElementById(id);
        const D = M.latent, L = M.denoiser.layers;
        $("title").textContent = M.name + ": denoising in the browser";
        $("details").textContent = M.details + " · " + M.schedule + " β, T = " + M.T + " · gen's samples take " + M.steps + " DDIM steps" + (M.steps > 100 ? " (the page opens at 100)" : "");

        // The layers, in Float64; x is { d, c, h, w } for images.
        function dense(x, l) {
          const y = new Float64Array(l.out);
          for (let o = 0; o < l.out; o++) { let s = W[l.b + o]; const r = l.w + o * l.in; for (let i = 0; i < l.in; i++) s += W[r + i] * x[i]; y[o] = s; }
          return y;
        }
        function silu(x) { for (let i = 0; i < x.length; i++) x[i] = x[i] / (1 + Math.exp(-x[i])); return x; }
        // As im2col and a product: each output position's patch laid out in a row of col (Ho·Wo,
        // C·k·k), zero where the kernel overhangs the image, then y[o, n] = b[o] + Σ_q W[o, q] col[n, q]:
        // dot products of contiguous rows, four output channels at a time, summed in registers
        // (V8 does not vectorise; a loop per kernel tap took twice as long).
        let patches = new Float64Array(0);
        function conv(x, l) {
          const k = l.k, s = l.s, p = l.p, oh = Math.floor((x.h + 2 * p - k) / s) + 1, ow = Math.floor((x.w + 2 * p - k) / s) + 1;
          const P = oh * ow, Q = l.cin * k * k;
          if (patches.length < Q * P) patches = new Float64Array(Q * P);
          const col = patches; col.fill(0, 0, Q * P);
          for (let c = 0; c < l.cin; c++) for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) {
            const q = (c * k + u) * k + v, inp = c * x.h * x.w;
            // the output columns whose input column s·j − p + v falls inside the image
            const j0 = Math.max(0, Math.ceil((p - v) / s)), j1 = Math.min(ow, Math.floor((x.w - 1 + p - v) / s) + 1);
            for (let i = 0; i < oh; i++) {
              const r = s * i - p + u; if (r < 0 || r >= x.h) continue;
              const xr = inp + r * x.w + v - p, cr = i * ow * Q + q;
              for (let j = j0; j < j1; j++) col[cr + j * Q] = x.d[xr + s * j];
            }
          }
          const y = new Float64Array(l.cout * P), last = l.cout - 1;
          for (let o = 0; o < l.cout; o += 4) {
            // Rows o … o + 3 of W (the last row again past the end, its sums not kept).
            const a = l.w + o * Q, b = l.w + Math.min(o + 1, last) * Q, c = l.w + Math.min(o + 2, last) * Q,
              d = l.w + Math.min(o + 3, last) * Q;
            const b0 = W[l.b + o], b1 = W[l.b + Math.min(o + 1, last)], b2 = W[l.b + Math.min(o + 2, last)],
              b3 = W[l.b + Math.min(o + 3, last)];
            for (let n = 0; n < P; n++) {
              const base = n * Q;
              let s0 = b0, s1 = b1, s2 = b2, s3 = b3;
              for (let q = 0; q < Q; q++) { const v = col[base + q]; s0 += W[a + q] * v; s1 += W[b + q] * v; s2 += W[c + q] * v; s3 += W[d + q] * v; }
              y[o * P + n] = s0;
              if (o + 1 <= last) y[(o + 1) * P + n] = s1;
              if (o + 2 <= last) y[(o + 2) * P + n] = s2;
              if (o + 3 <= last) y[(o + 3) * P + n] = s3;
            }
          }
          return { d: y, c: l.cout, h: oh, w: ow };
        }
        function groupNorm(x, l) {
          const plane = x.h * x.w, per = l.c / l.groups, m = per * plane, y = new Float64Array(x.d.length);
          for (let g = 0; g < l.groups; g++) {
            const start = g * m; let sum = 0, squares = 0;
            for (let i = 0; i < m; i++) sum += x.d[start + i];
            const mean = sum / m;
            for (let i = 0; i < m; i++) { const e = x.d[start + i] - mean; squares += e * e; }
            const r = 1 / Math.sqrt(squares / m + l.eps);
            for (let i = 0; i < m; i++) { const c = g * per + Math.floor(i / plane); y[start + i] = W[l.g + c] * (x.d[start + i] - mean) * r + W[l.b + c]; }
          }
          return { d: y, c: x.c, h: x.h, w: x.w };
        }
        const activated = x => ({ d: silu(x.d), c: x.c, h: x.h, w: x.w });
        function block(x, name, time) {
          const h = conv(activated(groupNorm(x, L[name + ".norm1"])), L[name + ".conv1"]);
          const shift = dense(time, L[name + ".time"]), plane = h.h * h.w;
          for (let c = 0; c < h.c; c++) for (let i = 0; i < plane; i++) h.d[c * plane + i] += shift[c];
          const y = conv(activated(groupNorm(h, L[name + ".norm2"])), L[name + ".conv2"]);
          const skip = L[name + ".shortcut"] ? conv(x, L[name + ".shortcut"]) : x;
          for (let i = 0; i < y.d.length; i++) y.d[i] += skip.d[i];
          return y;
        }
        function upsample(x) {
          const w = 2 * x.w, y = new Float64Array(4 * x.d.length);
          for (let c = 0; c < x.c; c++) for (let i = 0; i < 2 * x.h; i++) for (let j = 0; j < w; j++)
            y[(c * 2 * x.h + i) * w + j] = x.d[(c * x.h + (i >> 1)) * x.w + (j >> 1)];
          return { d: y, c: x.c, h: 2 * x.h, w };
        }
        function joined(a, b) { const d = new Float64Array(a.d.length + b.d.length); d.set(a.d); d.set(b.d, a.d.length); return { d, c: a.c + b.c, h: a.h, w: a.w }; }
        function embedding(t, size) {
          const half = size / 2, step = Math.log(10000) / (half - 1), e = new Float64Array(size);
          for (let i = 0; i < half; i++) { const angle = t * Math.exp(-step * i); e[i] = Math.sin(angle); e[half + i] = Math.cos(angle); }
          return e;
        }
        // ε̂(x_t, t), as UNetDenoiser.predictNoise or MLPDenoiser.predictNoise computes it.
        function predictNoise(xt, t) {
          const e = embedding(t, M.denoiser.embedding);
          if (M.denoiser.kind === "mlp") {
            let v = new Float64Array(D + e.length); v.set(xt); v.set(e, D);
            for (const l of M.denoiser.sequence) v = l.op === "silu" ? silu(v) : dense(v, l);
            return v;
          }
          const time = silu(dense(silu(dense(e, L.timeIn)), L.timeOut));
          const h0 = conv({ d: xt, c: M.channels, h: M.height, w: M.width }, L.stem);
          const d1 = block(h0, "down1", time);
          const d2 = block(conv(d1, L.downsample1), "down2", time);
          const m = block(conv(d2, L.downsample2), "middle", time);
          const u2 = block(joined(upsample(m), d2), "up2", time);
          const u1 = block(joined(upsample(u2), d1), "up1", time);
          return conv(activated(groupNorm(u1, L.outNorm)), L.outConv).d;
        }
        // DDIM's timesteps t_i = round(i · T / S), from T down (DiffusionModel.samplingTimesteps).
        function timesteps(steps) { const out = []; for (let i = steps; i >= 1; i--) out.push(Math.round(i * M.T / steps)); return out; }

        const image = $("image"); image.width = M.width; image.height = M.height;
        function paint(canvas, x) {   // x in [−1, 1], drawn as (x + 1) / 2 clipped to [0, 1]
          const g = canvas.getContext("2d"), d = g.createImageData(M.width, M.height), plane = M.width * M.height;
          let hex = "";
          for (let n = 0; n < plane; n++) {
            for (let c = 0; c < 3; c++) {
              const v = Math.round(Math.min(1, Math.max(0, (x[(M.channels === 3 ? c : 0) * plane + n] + 1) / 2)) * 255);
              d.data[4 * n + c] = v;
              if (c < M.channels) hex += v.toString(16).padStart(2, "0");
            }
            d.data[4 * n + 3] = 255;
          }
          g.putImageData(d, 0, 0);
          return hex;
        }
        function thumbnail(x) { const c = document.createElement("canvas"); c.width = M.width; c.height = M.height; paint(c, x); return c; }

        // The model's own steps, so an x_T draws gen's sample, but at most 100 on opening: a model
        // sampled in thousands of steps would keep the page busy for minutes before anything shows.
        const opening = Math.min(M.steps, 100);
        let noise = new Float64Array(D), steps = opening, run = 0;
        // DDIM from `noise`, a step per task so the page shows the reverse process as it goes; a
        // newer run stops an older one.
        async function sample() {
          const mine = ++run, ts = timesteps(steps), every = Math.ceil(ts.length / 16);
          for (const row of ["xt", "x0"]) $(row).replaceChildren($(row).firstChild);
          $("pixels").textContent = $("firstPrediction").textContent = ""; delete $("timing").dataset.msPerStep;
          $("shownSteps").textContent = every === 1 ? "" : "A column every " + every + " steps.";
          let x = Float64Array.from(noise), network = 0;
          for (let k = 0; k < ts.length; k++) {
            const t = ts[k], a = M.alphaBar[t], signal = Math.sqrt(a), spread = Math.sqrt(1 - a);
            const began = performance.now(), eps = predictNoise(x, t); network += performance.now() - began;
            // The network's first prediction, ε̂(x_T, T), as numbers: the tests compare it with gen's own.
            if (k === 0) $("firstPrediction").textContent = Array.from(eps, v => v.toPrecision(9)).join(",");
            const x0 = new Float64Array(D);
            for (let i = 0; i < D; i++) {
              const estimate = Math.min(1, Math.max(-1, (x[i] - spread * eps[i]) / signal));
              eps[i] = (x[i] - signal * estimate) / spread; x0[i] = estimate;
            }
            if (k % every === 0) {
              const xt = thumbnail(x), estimate = thumbnail(x0);
              xt.title = estimate.title = "t = " + t;
              $("xt").append(xt); $("x0").append(estimate);
            }
            const previous = M.alphaBar[k + 1 < ts.length ? ts[k + 1] : 0], keep = Math.sqrt(previous), rest = Math.sqrt(1 - previous);
            for (let i = 0; i < D; i++) x[i] = keep * x0[i] + rest * eps[i];
            paint(image, x);
            $("timing").textContent = "step " + (k + 1) + " of " + ts.length + " (t = " + t + ")";
            await new Promise(resolve => setTimeout(resolve, 0));
            if (mine !== run) return;
          }
          $("xt").append(thumbnail(x)); $("x0").append(thumbnail(x));
          $("pixels").textContent = paint(image, x);
          $("timing").textContent = ts.length + " DDIM step" + (ts.length === 1 ? "" : "s") + ": " + network.toFixed(0) + " ms in the network, "
            + (network / ts.length).toFixed(1) + " ms a step (one pass of the denoiser over one image, in this browser).";
          $("timing").dataset.msPerStep = (network / ts.length).toFixed(2);
        }
        function start() {
          sample().catch(e => { $("error").hidden = false; $("error").textContent = "The page could not sample: " + e.message; });
        }

        // Noise from a seed: mulberry32 and Box–Muller, this page's own (gen's generator differs).
        function seeded(seed) {
          let s = seed >>> 0;
          const uniform = () => { s = (s + 0x6D2B79F5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296; };
          const z = new Float64Array(D);
          for (let i = 0; i < D; i++) z[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
          return z;
        }
        function slerp(a, b, t) {
          let dot = 0, na = 0, nb = 0;
          for (let j = 0; j < D; j++) { dot += a[j] * b[j]; na += a[j] * a[j]; nb += b[j] * b[j]; }
          const omega = Math.acos(Math.max(-1, Math.min(1, dot / Math.max(Math.sqrt(na * nb), 1e-12))));
          let wa = 1 - t, wb = t;
          if (omega > 1e-4) { wa = Math.sin((1 - t) * omega) / Math.sin(omega); wb = Math.sin(t * omega) / Math.sin(omega); }
          return a.map((v, j) => wa * v + wb * b[j]);
        }

        // The address sets the state; anything it cannot read gets a visible message.
        function noiseFrom(text, what) {
          const parts = decodeURIComponent(text).split(",");
          if (parts.length === 1 && /^\d{1,9}$/.test(parts[0])) return seeded(Number(parts[0]));
          const values = parts.map(p => p.trim() === "" ? NaN : Number(p));
          if (values.length !== D || values.some(v => !Number.isFinite(v)))
            throw new Error("The address gives " + what + "=" + text.slice(0, 40) + (text.length > 40 ? "…" : "") + ": it needs a seed (a whole number below 10⁹) or x_T's " + D + " finite numbers separated by commas");
          return Float64Array.from(values);
        }
        let ends = [null, null];
        function showError(message) { $("error").hidden = false; $("error").textContent = message; }
        function fromHash() {
          const fields = {};
          for (const part of location.hash.slice(1).split("&")) { if (!part) continue; const i = part.indexOf("="); fields[i < 0 ? part : part.slice(0, i)] = i < 0 ? "" : part.slice(i + 1); }
          $("error").hidden = true;
          steps = opening;
          if ("steps" in fields) {
            const s = Number(fields.steps);
            if (Number.isInteger(s) && s >= 1 && s <= M.T) steps = s;
            else showError("The address gives steps=" + fields.steps + ": DDIM takes from 1 to " + M.T + " steps; taking " + opening + ".");
          }
          try {
            if ("z" in fields) noise = noiseFrom(fields.z, "z");
            else if ("seed" in fields) noise = noiseFrom(fields.seed, "seed");
            else if ("a" in fields && "b" in fields) {
              const t = Number(fields.t ?? 0);
              if (!(t >= 0 && t <= 1)) throw new Error("The address gives t=" + fields.t + ": t must be in [0, 1]");
              ends = [noiseFrom(fields.a, "a"), noiseFrom(fields.b, "b")];
              $("t").value = t; $("tValue").textContent = t.toFixed(2);
              $("setA").textContent = "A set ✓"; $("setB").textContent = "B set ✓";
              noise = slerp(ends[0], ends[1], t);
            } else if (Object.keys(fields).some(k => k !== "steps")) {
              throw new Error("The address gives " + location.hash.slice(0, 60) + ": use #seed=K, #z=… or #a=…&b=…&t=…, with &steps=N");
            } else noise = seeded(1);
          } catch (e) {
            showError(e.message + "; showing seed 1.");
            noise = seeded(1);
          }
          stepOptions();
          start();
        }
        // The menu: the preset step counts up to T, and the current one if it is not among them.
        function stepOptions() {
          const counts = [...new Set([...M.stepChoices, steps])].sort((a, b) => a - b);
          $("steps").replaceChildren(...counts.map(s => { const o = document.createElement("option"); o.value = s; o.textContent = s; return o; }));
          $("steps").value = steps;
        }
        function address(fields) { history.replaceState(null, "", "#" + fields); }
        $("steps").addEventListener("change", () => {
          steps = Number($("steps").value);
          const kept = location.hash.slice(1).split("&").filter(p => p && !p.startsWith("steps="));
          address([...kept, "steps=" + steps].join("&")); start();
        });
        $("noise").onclick = () => { location.hash = "seed=" + Math.floor(Math.random() * 1e9) + "&steps=" + steps; };
        $("setA").onclick = () => { ends[0] = Float64Array.from(noise); $("setA").textContent = "A set ✓"; };
        $("setB").onclick = () => { ends[1] = Float64Array.from(noise); $("setB").textContent = "B set ✓"; };
        $("t").addEventListener("input", () => { $("tValue").textContent = Number($("t").value).toFixed(2); });
        $("t").addEventListener("change", () => {
          if (!ends[0] || !ends[1]) { showError("Set both ends first: A, then B (each the noise drawn when you press it)."); return; }
          $("error").hidden = true;
          noise = slerp(ends[0], ends[1], Number($("t").value)); start();
        });
        window.addEventListener("hashchange", fromHash);
        fromHash();
        </script></body></html>
        """#
}
