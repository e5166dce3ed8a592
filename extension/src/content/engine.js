// The insertion engine, injected with chrome.scripting.executeScript into
// every frame of the EHR tab (in the extension's isolated world). It finds
// the fields a note can go into, writes text the way each editor accepts
// it, reads it back, and keeps what each field held so an insertion can be
// undone exactly. The service worker calls it through globalThis.sidenoteEngine.
//
// It never sends page content anywhere: it returns labels and, for the
// fields it fills, whether the text landed.
(() => {
  if (globalThis.sidenoteEngine) return;

  const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'tel', 'url']);
  // Generic accessible names editors give their editing surface; they say
  // nothing about what the field is for.
  const GENERIC_LABEL = /rich text (editor|area)|editing area/i;

  /** @type {{el: Element, kind: string, anchor: Element}[]} */
  let fields = [];
  /** insertion id → [{field, before}] */
  const snapshots = new Map();

  // ---- finding fields -------------------------------------------------

  function* elementsIn(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      yield node;
      if (node.shadowRoot) yield* elementsIn(node.shadowRoot);
    }
  }

  function editorKind(el) {
    if (el.classList.contains('ck-editor__editable')) return 'ckeditor5';
    if (el.classList.contains('ql-editor')) return 'quill';
    if (el.classList.contains('ProseMirror')) return 'prosemirror';
    if (el.getAttribute('data-lexical-editor') === 'true') return 'lexical';
    return 'contenteditable';
  }

  // editingSurface returns the field an element is, or null.
  function editingSurface(el) {
    const tag = el.localName;
    if (tag === 'textarea') return { el, kind: 'textarea', anchor: el, box: el };
    if (tag === 'input') {
      return TEXT_INPUT_TYPES.has(el.type) ? { el, kind: 'input', anchor: el, box: el } : null;
    }
    if (tag === 'iframe' && el.classList.contains('tox-edit-area__iframe')) {
      let body = null;
      try { body = el.contentDocument?.body ?? null; } catch { return null; }
      if (!body?.isContentEditable) return null;
      const container = el.closest('.tox-tinymce');
      return { el: body, kind: 'tinymce', anchor: sourceBefore(container) ?? container ?? el, box: el, container };
    }
    if (el.isContentEditable && !el.parentElement?.isContentEditable) {
      const kind = editorKind(el);
      const container =
        kind === 'ckeditor5' ? el.closest('.ck-editor') :
        kind === 'quill' ? el.closest('.ql-container') :
        kind === 'prosemirror' ? el.parentElement : el;
      const anchor = kind === 'ckeditor5' ? (sourceBefore(container) ?? container) : el;
      return { el, kind, anchor, box: el, container: container ?? el };
    }
    return null;
  }

  // CKEditor 5 and TinyMCE hide the page's own element and put their UI
  // right after it; the page's label still points at the hidden element.
  function sourceBefore(container) {
    const prev = container?.previousElementSibling;
    return prev && (prev.localName === 'textarea' || prev.localName === 'div') && !prev.checkVisibility() ? prev : null;
  }

  function usable(field) {
    const { el, box } = field;
    if (!box.isConnected || !box.checkVisibility({ checkVisibilityCSS: true })) return false;
    const rect = box.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return false;
    if (el.getAttribute('aria-disabled') === 'true' || el.getAttribute('aria-readonly') === 'true') return false;
    if (field.kind === 'textarea' || field.kind === 'input') {
      return !el.disabled && !el.readOnly && !el.matches(':disabled') && el.type !== 'password';
    }
    return el.isContentEditable;
  }

  const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

  function textOf(el) {
    return squash(el.innerText ?? el.textContent);
  }

  function byIds(el, ids) {
    const root = el.getRootNode();
    return ids.split(/\s+/).map((id) => (root.getElementById?.(id) ?? document.getElementById(id)))
      .filter(Boolean).map(textOf).join(' ').trim();
  }

  function labelOf(field) {
    for (const el of new Set([field.el, field.anchor])) {
      const ids = el.getAttribute('aria-labelledby');
      if (ids) {
        const t = byIds(el, ids);
        if (t) return t;
      }
    }
    for (const el of new Set([field.anchor, field.el])) {
      // .labels covers label[for] and a wrapping label of form controls; a
      // contenteditable has no .labels, only a possible wrapping label.
      const labels = new Set(el.labels ?? []);
      const wrapping = el.closest('label');
      if (wrapping) labels.add(wrapping);
      const t = [...labels].map(textOf).filter(Boolean).join(' ');
      if (t) return t;
    }
    for (const el of new Set([field.el, field.anchor])) {
      const t = squash(el.getAttribute('aria-label') || el.getAttribute('title'));
      if (t && !GENERIC_LABEL.test(t)) return t;
    }
    return '';
  }

  const FIELDISH = 'input, textarea, select, [contenteditable], iframe, .ck-editor, .tox-tinymce, .ql-container';

  // contextOf finds the caption a person would read before the field: the
  // previous cell of its table row, or the nearest short text (heading,
  // caption div) before it, stopping at another field.
  function contextOf(field) {
    const start = field.container ?? field.box;
    const cell = start.closest('td, th');
    if (cell) {
      for (let prev = cell.previousElementSibling; prev; prev = prev.previousElementSibling) {
        const t = textOf(prev);
        if (t) return t.slice(0, 120);
      }
    }
    let node = start;
    for (let depth = 0; node && depth < 4; depth++) {
      let sib = node.previousElementSibling;
      for (let i = 0; sib && i < 4; i++, sib = sib.previousElementSibling) {
        if (sib.matches(FIELDISH) || sib.querySelector(FIELDISH)) {
          if (sib.localName === 'label' || !textOf(sib)) continue; // toolbars, labels of this field
          return '';
        }
        if (sib.localName === 'label' && sib.htmlFor && sib.htmlFor !== field.anchor.id && sib.htmlFor !== field.el.id) return '';
        const t = textOf(sib);
        if (t && t.length <= 120) return t;
      }
      node = node.parentElement;
      if (!node || node.localName === 'form' || node.localName === 'body') break;
    }
    return '';
  }

  function currentText(field) {
    return field.kind === 'textarea' || field.kind === 'input' ? field.el.value : field.el.innerText;
  }

  function describe(field, index) {
    const { el, anchor, kind } = field;
    const named = anchor.getAttribute?.('name') || anchor.id || el.getAttribute('name') || el.id || '';
    return {
      index,
      label: labelOf(field),
      context: contextOf(field),
      placeholder: el.getAttribute('placeholder') || el.getAttribute('data-placeholder') || el.getAttribute('aria-placeholder') || '',
      name: named,
      kind,
      input_type: kind === 'input' ? el.type : '',
      autocomplete: el.getAttribute('autocomplete') || '',
      multiline: kind !== 'input',
      has_text: currentText(field).trim() !== '',
    };
  }

  function insideTinyMCE() {
    try {
      return !!window.frameElement?.classList.contains('tox-edit-area__iframe');
    } catch {
      return false;
    }
  }

  function collect() {
    fields = [];
    if (insideTinyMCE()) return { fields: [] };
    const seen = new Set();
    for (const node of elementsIn(document)) {
      const field = editingSurface(node);
      if (!field || seen.has(field.el) || !usable(field)) continue;
      seen.add(field.el);
      fields.push(field);
    }
    return { fields: fields.map(describe) };
  }

  // ---- writing --------------------------------------------------------

  function setNativeValue(el, value) {
    const proto = el.localName === 'textarea' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    // The prototype's setter, not el.value = …: React tracks the value on
    // the element and would otherwise treat the change as its own.
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText' }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }

  const escapeHTML = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

  // toHTML keeps the note's structure: blank lines separate paragraphs,
  // single newlines are line breaks.
  function toHTML(text) {
    return text.split(/\n{2,}/).map((p) => `<p>${p.split('\n').map(escapeHTML).join('<br>')}</p>`).join('');
  }

  // Waits until the page has seen the selection we set (editors sync their
  // model selection on selectionchange), without timers: background tabs
  // throttle those.
  function selectionSettled(doc) {
    return new Promise((resolve) => {
      let hops = 0;
      const channel = new MessageChannel();
      const done = () => { doc.removeEventListener('selectionchange', done); channel.port1.onmessage = null; resolve(); };
      doc.addEventListener('selectionchange', done, { once: true });
      channel.port1.onmessage = () => (++hops >= 4 ? done() : channel.port2.postMessage(0));
      channel.port2.postMessage(0);
    });
  }

  const yieldTask = () => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });

  async function select(field, collapseToEnd) {
    const { el } = field;
    const doc = el.ownerDocument;
    el.focus({ preventScroll: true });
    const range = doc.createRange();
    range.selectNodeContents(el);
    if (collapseToEnd) range.collapse(false);
    const sel = doc.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    await selectionSettled(doc);
  }

  // paste offers text to the editor the way a clipboard paste would; it
  // reports whether the editor took it (called preventDefault).
  function paste(el, plain, html) {
    const data = new DataTransfer();
    data.setData('text/plain', plain);
    if (html) data.setData('text/html', html);
    const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true });
    el.dispatchEvent(event);
    return event.defaultPrevented;
  }

  async function writeRich(field, text, mode, before) {
    const appending = mode === 'append' && before.text.trim() !== '';
    await select(field, appending);
    // An empty first paragraph merges into the paragraph at the caret, so
    // appended text starts on a paragraph of its own.
    // Quill keeps one line per newline, so plain text keeps the note's
    // blank lines exactly; the others get paragraphs and <br> as HTML.
    const html = field.kind === 'quill' ? '' : (appending ? '<p></p>' : '') + toHTML(text);
    const plain = (appending ? '\n\n' : '') + text;
    if (!paste(field.el, plain, html)) {
      field.el.ownerDocument.execCommand('insertHTML', false, html || toHTML(plain));
    }
  }

  function joinAppend(existing, text, multiline) {
    if (!existing.trim()) return text;
    if (!multiline) return `${existing.trimEnd()} ${text}`;
    return `${existing.replace(/\s+$/, '')}\n\n${text}`;
  }

  async function write(field, text, mode, before) {
    if (field.kind === 'textarea' || field.kind === 'input') {
      const value = field.kind === 'input' ? text.replace(/\s*\n+\s*/g, ' ') : text;
      setNativeValue(field.el, mode === 'append' ? joinAppend(before.value, value, field.kind === 'textarea') : value);
      return;
    }
    await writeRich(field, text, mode, before);
  }

  function snapshot(field) {
    if (field.kind === 'textarea' || field.kind === 'input') return { value: field.el.value, text: field.el.value };
    return { html: field.el.innerHTML, text: field.el.innerText };
  }

  function landed(field, text, mode, before) {
    const now = squash(currentText(field));
    const want = squash(field.kind === 'input' ? text.replace(/\n+/g, ' ') : text);
    if (mode === 'append' && before.text.trim()) {
      return now.startsWith(squash(before.text)) && now.endsWith(want);
    }
    return now === want;
  }

  async function fill({ insertion, items, onFilled }) {
    const touched = [];
    const results = [];
    for (const item of items) {
      const field = fields[item.index];
      if (!field || !usable(field)) {
        results.push({ index: item.index, status: 'skipped', reason: 'field is no longer editable' });
        continue;
      }
      const before = snapshot(field);
      const hasText = before.text.trim() !== '';
      if (hasText && onFilled !== 'replace' && onFilled !== 'append') {
        results.push({ index: item.index, status: 'skipped', reason: 'field already has text' });
        continue;
      }
      const mode = hasText ? onFilled : 'replace';
      touched.push({ field, before });
      try {
        await write(field, item.text, mode, before);
        results.push({ index: item.index, status: 'filled', mode, text: item.text, before });
      } catch (err) {
        results.push({ index: item.index, status: 'skipped', reason: `could not write: ${err.message}` });
      }
    }
    // Let editors that commit in a microtask or a task (Lexical, TinyMCE)
    // update their model before reading back.
    await yieldTask();
    snapshots.set(insertion, touched);
    // Only the latest insertions can be undone; forget older snapshots.
    for (const old of [...snapshots.keys()].slice(0, -3)) snapshots.delete(old);
    return results.map(({ text, before, ...r }) => (
      r.status === 'filled' ? { ...r, landed: landed(fields[r.index], text, r.mode, before) } : r));
  }

  // ---- undo -----------------------------------------------------------

  async function restore(field, before) {
    if (field.kind === 'textarea' || field.kind === 'input') {
      setNativeValue(field.el, before.value);
      return field.el.value === before.value;
    }
    if (field.kind === 'contenteditable') {
      // No editor owns this element: its DOM is the model, so put it back
      // as it was and tell listeners, as the browser's own undo would.
      field.el.innerHTML = before.html;
      field.el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'historyUndo' }));
      return field.el.innerHTML === before.html;
    }
    await select(field, false);
    if (before.text.trim() === '') {
      const event = new InputEvent('beforeinput', { inputType: 'deleteContentBackward', bubbles: true, cancelable: true, composed: true });
      field.el.dispatchEvent(event);
      if (!event.defaultPrevented) field.el.ownerDocument.execCommand('delete');
    } else if (!paste(field.el, before.text, before.html)) {
      field.el.ownerDocument.execCommand('insertHTML', false, before.html);
    }
    await yieldTask();
    return squash(field.el.innerText) === squash(before.text);
  }

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

  globalThis.sidenoteEngine = { collect, fill, undo };
})();
