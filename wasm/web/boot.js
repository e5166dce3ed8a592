// Starts the Sidenote sidebar (Go compiled to WebAssembly). Used by the /app
// page and by the extension's side panel, which loads its host.js first and
// has no page skeleton of its own. No inline scripts: the CSP forbids them.
(() => {
  'use strict';
  const here = document.currentScript?.src || location.href;
  const url = (name) => new URL(name, here).href;

  function ensureSkeleton() {
    if (document.getElementById('main')) return;
    document.body.insertAdjacentHTML('beforeend',
      '<a class="skip" href="#main">Skip to content</a>' +
      '<div id="banner"></div><header id="top" class="top"><span class="brand">Sidenote</span></header>' +
      '<main id="main" tabindex="-1"><p class="center" role="status">Loading Sidenote…</p></main>' +
      '<div id="notice" role="status" aria-live="polite"></div>');
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(s);
    });
  }

  // Start downloading the binary at once, while wasm_exec.js loads.
  const wasm = url('sidebar.wasm');
  const download = fetch(wasm);

  async function instantiate(go) {
    try {
      return await WebAssembly.instantiateStreaming(download, go.importObject);
    } catch {
      // A server without the application/wasm type: compile from bytes.
      const bytes = await (await fetch(wasm)).arrayBuffer();
      return WebAssembly.instantiate(bytes, go.importObject);
    }
  }

  async function start() {
    ensureSkeleton();
    await Promise.all([
      typeof Go === 'undefined' ? loadScript(url('wasm_exec.js')) : null,
      typeof sidenoteMedia === 'undefined' ? loadScript(url('media.js')) : null,
    ]);
    const go = new Go();
    const { instance } = await instantiate(go);
    globalThis.sidenoteInstantiated = performance.now(); // for wasm/e2e's benchmark
    go.run(instance);
  }

  start().catch((err) => {
    console.error('Sidenote failed to start:', err);
    const main = document.getElementById('main');
    if (main) {
      main.textContent = '';
      const p = document.createElement('p');
      p.className = 'error';
      p.setAttribute('role', 'alert');
      p.textContent = 'Sidenote could not start. Reload the page; if it happens again, the sidebar may need to be rebuilt (make wasm).';
      main.append(p);
    }
  });
})();
