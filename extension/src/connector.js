// @ts-check
// The one message connector between the side panel, other extension pages
// and the service worker. Message names live here only.

export const Msg = Object.freeze({
  Connect: 'sidenote.connect',
  Insert: 'sidenote.insert',
  Undo: 'sidenote.undo',
  Plan: 'sidenote.plan',
  // Tab capture (capture.js, offscreen.js, tabrecorder.js): the panel asks
  // the worker to start, the worker hands the stream to the offscreen
  // document, the panel pauses and stops it there, and the offscreen
  // document tells the worker when the recording is over.
  CaptureStart: 'sidenote.capture.start',
  CaptureRecord: 'sidenote.capture.record',
  CaptureControl: 'sidenote.capture.control',
  CaptureEnded: 'sidenote.capture.ended',
});

// The recording's chunks (Blobs) go from the offscreen document to the
// panel on this BroadcastChannel: runtime messages cannot carry Blobs.
export const CaptureChannel = 'sidenote.capture.chunks';
// The panel holds a port of this name open while it records a tab: when
// the panel closes, the offscreen document stops the recording.
export const CapturePort = 'sidenote.capture.panel';

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
// Anything else, from anyone else, is refused. A known message without a
// handler here is left to the extension context that handles it (the
// worker and the offscreen document both hear the panel's messages).
export function serve(handlers) {
  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!fromExtensionPage(sender)) {
      sendResponse({ ok: false, error: 'refused', message: 'Sidenote only answers its own pages.' });
      return false;
    }
    const type = message?.type;
    const handler = known.has(type) ? handlers[type] : undefined;
    if (!handler && known.has(type)) return false;
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
