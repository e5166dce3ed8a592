// @ts-check
// Loaded first by sidepanel.html: tells the sidebar (the Go→WASM app from
// wasm/web) that it runs inside the extension and how to reach the page,
// then starts the sidebar.
import { Msg, send } from './connector.js';
import { captureTab } from './tabrecorder.js';

async function activeTab() {
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  if (!tab?.id) throw new Error('No page is open beside Sidenote.');
  return tab;
}

// Origins of frames (another origin's note form inside the EHR page) that
// the last reply said the extension may not read yet, by tab.
const frameOrigins = new Map();

// Host permissions for EHR sites are optional: ask for the page's origin,
// and those of its frames a previous reply named, on the clinician's click
// (a user gesture), before anything else is awaited.
function askForSite(tab) {
  if (!tab?.url || !/^https?:/.test(tab.url)) return Promise.resolve(true);
  const origins = [`${new URL(tab.url).origin}/*`, ...(frameOrigins.get(tab.id) ?? []).map((o) => `${o}/*`)];
  return chrome.permissions.request({ origins }).catch(() => false);
}

let lastTab = null;
chrome.tabs.query({ active: true, lastFocusedWindow: true }).then(([tab]) => { lastTab = tab ?? null; });
chrome.tabs.onActivated.addListener(({ tabId }) => chrome.tabs.get(tabId).then((tab) => { lastTab = tab; }));
chrome.tabs.onUpdated.addListener((tabId, _info, tab) => { if (lastTab?.id === tabId) lastTab = tab; });

async function withTab(type, payload) {
  const granted = askForSite(lastTab);
  const tab = await activeTab();
  await granted;
  const reply = await send(type, { ...payload, tabId: tab.id });
  if (reply?.frame_origins) frameOrigins.set(tab.id, reply.frame_origins);
  else frameOrigins.delete(tab.id);
  return reply;
}

globalThis.sidenoteHost = Object.freeze({
  kind: 'extension',
  connect: (serverUrl, token) => send(Msg.Connect, { serverUrl, token }),
  getConfig: async () => (await chrome.storage.local.get('connection')).connection ?? { serverUrl: '', token: '' },
  plan: (noteId, mapping) => withTab(Msg.Plan, { noteId, mapping }),
  insert: (noteId, onFilled = 'skip', mapping) => withTab(Msg.Insert, { noteId, onFilled, mapping }),
  insertWhenReady: (noteId, onFilled = 'skip', waitMs) => withTab(Msg.Insert, { noteId, onFilled, waitMs }),
  undo: () => withTab(Msg.Undo, {}),
  // Records the tab beside the panel with the microphone (tabrecorder.js).
  captureTab: async (timesliceMs, handlers) => captureTab((await activeTab()).id, timesliceMs, handlers),
});

// Start the sidebar; it may not be built yet in a bare extension build.
const script = document.createElement('script');
script.src = 'boot.js';
script.onerror = () => {
  document.getElementById('missing')?.removeAttribute('hidden');
};
document.body.append(script);
