// Service-worker side of "Record this tab": turns the panel's request into
// a tab stream id, hands it to the offscreen document (a worker cannot hold
// media) and shows a badge on the extension icon while the tab is recorded.
import { Msg, send } from './connector.js';

const offscreenPage = 'offscreen.html';
const badge = { text: 'REC', color: '#b3261e' };

export class CaptureError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function offscreenOpen() {
  const open = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
  return open.length > 0;
}

// openOffscreen opens the offscreen document unless it is open (it is
// while a tab is recorded) and says whether it opened it.
async function openOffscreen() {
  if (await offscreenOpen()) return false;
  await chrome.offscreen.createDocument({
    url: offscreenPage,
    reasons: ['USER_MEDIA'],
    justification: 'Records the telehealth tab and the microphone into the Sidenote session.',
  });
  return true;
}

async function closeOffscreen() {
  if (await offscreenOpen()) await chrome.offscreen.closeDocument();
}

async function showBadge(on) {
  await chrome.action.setBadgeText({ text: on ? badge.text : '' });
  if (on) await chrome.action.setBadgeBackgroundColor({ color: badge.color });
}

// streamIdFor asks Chrome for the tab's stream. It is granted when the
// clinician invoked Sidenote on that tab (clicked its icon there).
async function streamIdFor(tabId) {
  try {
    return await chrome.tabCapture.getMediaStreamId({ targetTabId: tabId });
  } catch (err) {
    throw new CaptureError('tab_not_capturable',
      `Sidenote can't record this tab: ${err.message} Click the Sidenote icon while the call's tab is in front, then choose Record this tab.`);
  }
}

export const captureHandlers = {
  async [Msg.CaptureStart]({ tabId, timesliceMs }) {
    if (!Number.isInteger(tabId)) throw new CaptureError('bad_request', 'tabId is required.');
    if (!Number.isInteger(timesliceMs) || timesliceMs < 100) throw new CaptureError('bad_request', 'timesliceMs is required.');
    const streamId = await streamIdFor(tabId);
    const opened = await openOffscreen();
    const answer = await send(Msg.CaptureRecord, { streamId, timesliceMs });
    if (!answer?.ok) {
      // A document already recording another tab stays.
      if (opened) await closeOffscreen();
      return answer ?? { ok: false, error: 'failed', message: 'The recorder did not answer.' };
    }
    await showBadge(true);
    return { ok: true };
  },

  // The offscreen document's recording is over (stopped, failed, or its
  // panel closed): the badge goes and the document with it.
  async [Msg.CaptureEnded]() {
    await showBadge(false);
    await closeOffscreen();
    return { ok: true };
  },
};
