// @ts-check
// Writing into a field the way its editor's model accepts text, and putting
// back what it held. Plain fields get the native value setter and the
// events frameworks listen to (input for React/Vue/Alpine, change for
// Knockout's value binding); rich editors get, in turn, a synthetic paste,
// a beforeinput, and execCommand, until reading back shows the editor took
// the text.
(() => {
  const parts = (globalThis.sidenoteParts ??= /** @type {any} */ ({}));
  if (parts.write) return;
  const { squash, toHTML, oneLine, joinAppend } = parts.text;
  const { currentText } = parts.fields;


  /** @param {HTMLElement} el @param {string} value */
  function setNativeValue(el, value) {
    const proto = el.localName === 'textarea' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    // The prototype's setter, not el.value = …: React tracks the value on
    // the element and would otherwise treat the change as its own.
    /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(proto, 'value')).set?.call(el, value);
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText' }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }

  // Waits until the page has seen the selection we set (editors sync their
  // model selection on selectionchange), without timers: background tabs
  // throttle those.
  /** @param {Document} doc @returns {Promise<void>} */
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

  /** @returns {Promise<void>} */
  const yieldTask = () => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });

  /**
   * settle lets editors that commit later (Lexical in a microtask, CKEditor
   * 4 and Slate in a task or after a short timer) update their model: it
   * yields until none of the fields has changed for two short ticks, or
   * limitMs pass.
   * @param {Field[]} fields @param {number} limitMs
   */
  async function settle(fields, limitMs = 250) {
    const start = performance.now();
    const read = () => fields.map(currentText).join('\u0000');
    let last = read();
    let still = 0;
    await yieldTask();
    while (performance.now() - start < limitMs) {
      await new Promise((r) => setTimeout(r, 4));
      const now = read();
      if (now === last && ++still >= 2) return;
      if (now !== last) still = 0;
      last = now;
    }
  }

  /**
   * changed resolves true at the next change inside el, false after limitMs.
   * @param {HTMLElement} el @param {number} limitMs @returns {Promise<boolean>}
   */
  function changed(el, limitMs) {
    return new Promise((resolve) => {
      const observer = new MutationObserver(() => finish(true));
      const timer = setTimeout(() => finish(false), limitMs);
      /** @param {boolean} seen */
      function finish(seen) {
        observer.disconnect();
        clearTimeout(timer);
        resolve(seen);
      }
      observer.observe(el, { subtree: true, childList: true, characterData: true });
    });
  }

  /** @param {Field} field @param {boolean} collapseToEnd */
  async function select(field, collapseToEnd) {
    const { el } = field;
    const doc = el.ownerDocument;
    el.focus({ preventScroll: true });
    const range = doc.createRange();
    range.selectNodeContents(el);
    if (collapseToEnd) range.collapse(false);
    const sel = /** @type {Selection} */ (doc.getSelection());
    sel.removeAllRanges();
    sel.addRange(range);
    await selectionSettled(doc);
  }

  /** @param {string} plain @param {string} html */
  function transfer(plain, html) {
    const data = new DataTransfer();
    data.setData('text/plain', plain);
    if (html) data.setData('text/html', html);
    return data;
  }

  // Each way of offering text to a rich editor; each reports whether the
  // editor (or the browser, for execCommand) handled it.
  /** @type {Record<string, (el: HTMLElement, plain: string, html: string) => boolean>} */
  const offers = {
    paste(el, plain, html) {
      const event = new ClipboardEvent('paste', { clipboardData: transfer(plain, html), bubbles: true, cancelable: true, composed: true });
      el.dispatchEvent(event);
      return event.defaultPrevented;
    },
    beforeinput(el, plain, html) {
      const event = new InputEvent('beforeinput', { inputType: 'insertFromPaste', dataTransfer: transfer(plain, html), bubbles: true, cancelable: true, composed: true });
      el.dispatchEvent(event);
      return event.defaultPrevented;
    },
    execCommand(el, plain, html) {
      return el.ownerDocument.execCommand('insertHTML', false, html || toHTML(plain));
    },
  };

  /**
   * writeRich offers the text to the editor until it reads back as changed:
   * an editor that ignores a synthetic paste (Slate, Summernote) gets
   * beforeinput, then execCommand, which a contenteditable whose DOM is its
   * model (and editors that observe the DOM, like ProseMirror) keep.
   * @param {Field} field @param {string} text @param {string} mode @param {Snapshot} before
   */
  async function writeRich(field, text, mode, before) {
    const appending = mode === 'append' && before.text.trim() !== '';
    // Quill keeps one line per newline, so plain text keeps the note's
    // blank lines exactly; the others get paragraphs and <br> as HTML. An
    // empty first paragraph merges into the paragraph at the caret, so
    // appended text starts on a paragraph of its own.
    const html = field.kind === 'quill' ? '' : (appending ? '<p></p>' : '') + toHTML(text);
    const plain = (appending ? '\n\n' : '') + text;
    // Slate takes pasted text through beforeinput only: offer that first.
    const ways = field.kind === 'slate' ? ['beforeinput', 'paste', 'execCommand'] : ['paste', 'beforeinput', 'execCommand'];
    for (const way of ways) {
      await select(field, appending);
      const handled = offers[way](field.el, plain, html);
      // The final read-back waits for every field to settle (see fill);
      // here it is enough that this editor took the text.
      await yieldTask();
      if (currentText(field) !== before.text) return way;
      if (handled && way !== 'execCommand') {
        // Taken but not shown yet (Trix renders later, more so on a busy
        // machine), or refused outright: either way another offer would
        // risk writing it twice.
        await changed(field.el, 1500);
        return way;
      }
      // Not taken: the next way. An editor that took it unannounced in a
      // later task would end up with it twice, which the read-back reports
      // and undoes.
    }
    return 'none';
  }

  /**
   * @param {Field} field @param {string} text @param {string} mode @param {Snapshot} before
   */
  async function write(field, text, mode, before) {
    if (field.kind === 'textarea' || field.kind === 'input') {
      const value = field.kind === 'input' ? oneLine(text) : text;
      setNativeValue(field.el, mode === 'append' ? joinAppend(before.value ?? '', value, field.kind === 'textarea') : value);
      await yieldTask();
      return 'value';
    }
    return writeRich(field, text, mode, before);
  }

  /** @param {Field} field @returns {Snapshot} */
  function snapshot(field) {
    if (field.kind === 'textarea' || field.kind === 'input') {
      const value = /** @type {HTMLTextAreaElement} */ (field.el).value;
      return { value, text: value };
    }
    return { html: field.el.innerHTML, text: currentText(field) };
  }

  /**
   * Empties a rich editor through its own handling of a delete: beforeinput
   * (Slate, Lexical, CKEditor 5), a Backspace key (Draft.js, Trix, Quill,
   * ProseMirror), else the browser's own delete.
   * @param {Field} field
   */
  async function clearRich(field) {
    const { el } = field;
    await select(field, false);
    const before = new InputEvent('beforeinput', { inputType: 'deleteContentBackward', bubbles: true, cancelable: true, composed: true });
    el.dispatchEvent(before);
    if (before.defaultPrevented) return;
    const key = new KeyboardEvent('keydown', { key: 'Backspace', code: 'Backspace', keyCode: 8, which: 8, bubbles: true, cancelable: true, composed: true });
    el.dispatchEvent(key);
    if (key.defaultPrevented) return;
    el.ownerDocument.execCommand('delete');
  }

  /**
   * restore puts back what a field held; it reports whether it reads as
   * before again.
   * @param {Field} field @param {Snapshot} before
   */
  async function restore(field, before) {
    if (field.kind === 'textarea' || field.kind === 'input') {
      setNativeValue(field.el, before.value ?? '');
      return /** @type {HTMLTextAreaElement} */ (field.el).value === before.value;
    }
    if (field.kind === 'contenteditable' || field.kind === 'iframe') {
      // No editor owns this element: its DOM is the model, so put it back
      // as it was and tell listeners, as the browser's own undo would.
      field.el.innerHTML = before.html ?? '';
      field.el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'historyUndo' }));
      return field.el.innerHTML === before.html;
    }
    // An editor that syncs its selection late (Trix on a busy machine) may
    // act on part of it: try again while the field reads otherwise.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (before.text.trim() === '') {
        await clearRich(field);
      } else {
        await select(field, false);
        if (!offers.paste(field.el, before.text, before.html ?? '')) offers.execCommand(field.el, before.text, before.html ?? '');
      }
      await settle([field]);
      if (squash(currentText(field)) === squash(before.text)) return true;
    }
    return false;
  }

  parts.write = { write, snapshot, restore, settle };
})();
