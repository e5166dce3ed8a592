// @ts-check
// The insertion engine, injected with chrome.scripting.executeScript into
// every frame of the EHR tab (in the extension's isolated world), after
// text.js, fields.js and write.js. It finds the fields a note can go into,
// writes text the way each editor accepts it, reads it back, and keeps what
// each field held so an insertion can be undone exactly. Frames of another
// origin are filled by the copy of the engine running in them, never from
// the top document. The service worker calls it through
// globalThis.sidenoteEngine.
//
// It never sends page content anywhere: it returns labels and, for the
// fields it fills, whether the text landed.
(() => {
  if (globalThis.sidenoteEngine) return;
  const { landedText, oneLine, tooLong, pageLength } = globalThis.sidenoteParts.text;
  const { findFields, usable, describe, currentText } = globalThis.sidenoteParts.fields;
  const { write, snapshot, restore, settle } = globalThis.sidenoteParts.write;

  // Fields are addressed by a stamp on the element (kept in this isolated
  // world, invisible to the page), not by their place in a list: a page
  // that re-renders between collecting and filling cannot shift a section
  // into another field. An element that was replaced has no stamp and is
  // reported as changed.
  /** @type {WeakMap<HTMLElement, string>} */
  const stamps = new WeakMap();
  // Held until a later collect finds the element gone from the page.
  /** @type {Map<string, {field: Field, label: string, name: string}>} */
  const byStamp = new Map();
  let serial = 0;

  /** @type {Map<string, {field: Field, before: Snapshot}[]>} insertion id → touched fields */
  const snapshots = new Map();

  /** @param {Field} field */
  function stampOf(field) {
    let stamp = stamps.get(field.el);
    if (!stamp) {
      stamp = `s${++serial}`;
      stamps.set(field.el, stamp);
    }
    return stamp;
  }

  function collect() {
    const fields = findFields().map((field) => {
      const d = describe(field, stampOf(field));
      byStamp.set(d.stamp, { field, label: d.label, name: d.name });
      return d;
    });
    for (const [stamp, entry] of byStamp) if (!entry.field.el.isConnected) byStamp.delete(stamp);
    return { fields, origin: location.origin, frameOrigins: frameOrigins() };
  }

  // The origins of the frames this document embeds, from their src: which
  // frames the service worker should have heard from. Nothing is read
  // from inside them.
  function frameOrigins() {
    const out = new Set();
    for (const frame of document.querySelectorAll('iframe[src], frame[src]')) {
      try {
        const url = new URL(/** @type {HTMLIFrameElement} */ (frame).src, location.href);
        if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== location.origin) out.add(url.origin);
      } catch { /* not a URL: nothing to reach */ }
    }
    return [...out];
  }

  /**
   * The field a stamp was given to, if it is still that field: connected,
   * editable and read the same way (a framework may reuse an element for
   * another field).
   * @param {string} stamp
   */
  function fieldOf(stamp) {
    const entry = byStamp.get(stamp);
    const field = entry?.field;
    if (!entry || !field || !usable(field)) return null;
    const now = describe(field, stamp);
    return now.label === entry.label && now.name === entry.name ? field : null;
  }

  /**
   * The most a plain field holds, from its maxlength; 0 when unlimited.
   * @param {Field} field
   */
  function maxLength(field) {
    if (field.kind !== 'textarea' && field.kind !== 'input') return 0;
    const n = /** @type {HTMLTextAreaElement} */ (field.el).maxLength;
    return n > 0 ? n : 0;
  }

  /**
   * @param {Field} field @param {string} text @param {string} mode
   * @param {Snapshot} before
   */
  function wanted(field, text, mode, before) {
    const own = field.kind === 'input' ? oneLine(text) : text;
    return mode === 'append' && before.text.trim() ? `${before.text}\n\n${own}` : own;
  }

  /**
   * @param {{insertion: string, items: {stamp: string, text: string}[], onFilled: string}} arg
   */
  async function fill({ insertion, items, onFilled }) {
    const touched = [];
    /** @type {Record<string, unknown>[]} */
    const results = [];
    /** @type {{result: Record<string, unknown>, field: Field, before: Snapshot, text: string, mode: string, want: string}[]} */
    const written = [];
    for (const item of items) {
      const field = fieldOf(item.stamp);
      if (!field) {
        results.push({ stamp: item.stamp, status: 'skipped', reason: 'the page changed; try again' });
        continue;
      }
      const before = snapshot(field);
      const hasText = before.text.trim() !== '';
      if (hasText && onFilled !== 'replace' && onFilled !== 'append') {
        results.push({ stamp: item.stamp, status: 'skipped', reason: 'field already has text' });
        continue;
      }
      const mode = hasText ? onFilled : 'replace';
      const want = wanted(field, item.text, mode, before);
      const limit = maxLength(field);
      if (limit && pageLength(want) > limit) {
        // Written by script, a maxlength is not enforced, but the page
        // would refuse to save: never write what the field cannot hold.
        results.push({ stamp: item.stamp, status: 'skipped', reason: tooLong(limit, pageLength(want)), limit });
        continue;
      }
      const result = { stamp: item.stamp, status: 'filled' };
      results.push(result);
      try {
        await write(field, item.text, mode, before);
        written.push({ result, field, before, text: item.text, mode, want });
      } catch (err) {
        await restore(field, before);
        Object.assign(result, { status: 'skipped', reason: `could not write: ${/** @type {Error} */ (err).message}` });
      }
    }
    // Read back once every editor has committed what it took.
    await settle(written.map((w) => w.field));
    for (const { result, field, before, text, mode, want } of written) {
      const now = currentText(field);
      if (landedText(now, field.kind === 'input' ? oneLine(text) : text, mode === 'append' ? before.text : '')) {
        touched.push({ field, before });
        continue;
      }
      // Cut short or partly refused: a field must never keep part of a
      // section, so it goes back to what it held.
      const held = pageLength(now);
      const shortened = now.trim() !== '' && held > pageLength(before.text) && held < pageLength(want);
      if (!(await restore(field, before))) {
        touched.push({ field, before }); // undo tries again
        result.undoable = true;
      }
      Object.assign(result, shortened
        ? { status: 'skipped', reason: tooLong(held, pageLength(want)), limit: held }
        : { status: 'skipped', reason: 'the page did not keep the text' });
    }
    snapshots.set(insertion, touched);
    // Only the latest insertions can be undone; forget older snapshots.
    for (const old of [...snapshots.keys()].slice(0, -3)) snapshots.delete(old);
    return results;
  }

  /** @param {{insertion: string}} arg */
  async function undo({ insertion }) {
    const touched = snapshots.get(insertion);
    if (!touched) return { restored: 0, failed: 0, missing: true };
    let restored = 0;
    let failed = 0;
    for (const { field, before } of touched.toReversed()) {
      if (field.el.isConnected && await restore(field, before)) restored++;
      else failed++;
    }
    snapshots.delete(insertion);
    return { restored, failed };
  }

  /** @type {((appeared: boolean) => void) | null} */
  let stopWaiting = null;

  /**
   * waitForFields resolves when a field appears that was not there when it
   * was called (a form opened after a click, in a <dialog>, after a route
   * change), or with appeared false after timeoutMs.
   * @param {{timeoutMs: number}} arg
   * @returns {Promise<{appeared: boolean}>}
   */
  function waitForFields({ timeoutMs }) {
    stopWaiting?.(false);
    const known = new Set(findFields().map((f) => f.el));
    return new Promise((resolve) => {
      let scheduled = false;
      const check = () => {
        scheduled = false;
        if (findFields().some((f) => !known.has(f.el))) finish(true);
      };
      const observer = new MutationObserver(() => {
        if (!scheduled) {
          scheduled = true;
          // Let the framework finish rendering the form before reading it.
          setTimeout(check, 50);
        }
      });
      const timer = setTimeout(() => finish(false), timeoutMs);
      /** @param {boolean} appeared */
      function finish(appeared) {
        stopWaiting = null;
        observer.disconnect();
        clearTimeout(timer);
        resolve({ appeared });
      }
      stopWaiting = finish;
      observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['open', 'hidden', 'style', 'class', 'contenteditable'] });
    });
  }

  globalThis.sidenoteEngine = { collect, fill, undo, waitForFields, stopWaiting: () => { stopWaiting?.(false); return {}; } };
})();
