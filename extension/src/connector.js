// @ts-check
// The one message connector between the side panel, other extension pages
// and the service worker. Message names live here only.

export const Msg = Object.freeze({
  Connect: 'sidenote.connect',
  Insert: 'sidenote.insert',
  Undo: 'sidenote.undo',
  Plan: 'sidenote.plan',
});

const known = new Set(Object.values(Msg));

// fromExtensionPage reports whether a message comes from one of this
// extension's own pages (side panel, options, tests opening them as a tab).
// Content scripts run in web pages: their sender.url is the page's, so they
// are not extension pages even though sender.id is ours.
export function fromExtensionPage(sender) {
  const base = chrome.runtime.getURL('');
  return sender?.id === chrome.runtime.id &&
    typeof sender.url === 'string' && sender.url.startsWith(base) &&
    (sender.origin === undefined || `${sender.origin}/` === base);
}

// serve answers the automation messages with handlers keyed by message name.
// Anything else, from anyone else, is refused.
export function serve(handlers) {
  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!fromExtensionPage(sender)) {
      sendResponse({ ok: false, error: 'refused', message: 'Sidenote only answers its own pages.' });
      return false;
    }
    const type = message?.type;
    const handler = known.has(type) ? handlers[type] : undefined;
    if (!handler) {
      sendResponse({ ok: false, error: 'unknown_message', message: `Unknown message ${String(type)}.` });
      return false;
    }
    Promise.resolve()
      .then(() => handler(message, sender))
      .then(sendResponse, (err) => sendResponse({ ok: false, error: err.code ?? 'failed', message: err.message }));
    return true; // the answer is asynchronous
  });
  // Other extensions and web pages (should one ever be allowed to connect)
  // get the same refusal.
  chrome.runtime.onMessageExternal.addListener((_message, _sender, sendResponse) => {
    sendResponse({ ok: false, error: 'refused', message: 'Sidenote does not accept outside messages.' });
    return false;
  });
}

// send is how extension pages talk to the service worker.
export async function send(type, payload = {}) {
  if (!known.has(type)) throw new Error(`unknown message ${type}`);
  return chrome.runtime.sendMessage({ ...payload, type });
}
