// @ts-check
// Loads the Go field matcher (shared/match compiled to WebAssembly) once per
// service-worker life and calls it.
import './wasm_exec.js';

let ready;

function load() {
  ready ??= (async () => {
    const go = new globalThis.Go();
    const { instance } = await WebAssembly.instantiateStreaming(fetch(chrome.runtime.getURL('matcher.wasm')), go.importObject);
    go.run(instance); // never settles: main blocks in select{} to keep its callbacks alive
    if (typeof globalThis.sidenoteMatch !== 'function') throw new Error('matcher did not start');
  })();
  ready.catch(() => { ready = undefined; });
  return ready;
}

// warmUp starts compiling the matcher without waiting for it, so a woken
// service worker overlaps it with fetching the note and reading the page.
export function warmUp() {
  load().catch(() => {});
}

// match returns the plan for a note on a page's fields (see shared/match).
export async function match(request) {
  await load();
  const plan = globalThis.sidenoteMatch(request);
  if (plan.error) throw new Error(plan.error);
  return plan;
}

export async function pathPattern(path) {
  await load();
  return globalThis.sidenotePathPattern(path);
}
