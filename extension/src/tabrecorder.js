// Panel side of "Record this tab": starts the capture through the worker
// and gives the sidebar a recorder like media.js's (chunk, stop, error
// handlers; stop, pause, resume), so its upload and resume logic is the
// one that sends the chunks.
import { CaptureChannel, CapturePort, Msg, send } from './connector.js';

export async function captureTab(tabId, timesliceMs, h) {
  const channel = new BroadcastChannel(CaptureChannel);
  let port = null;
  channel.onmessage = ({ data }) => {
    if (data?.kind === 'chunk') h.chunk(data.blob);
    else if (data?.kind === 'error') h.error(data.name);
    else if (data?.kind === 'stop') {
      channel.close();
      port?.disconnect();
      h.stop(data.blob);
    }
  };
  let answer;
  try {
    answer = await send(Msg.CaptureStart, { tabId, timesliceMs });
  } catch (err) {
    answer = { ok: false, error: 'failed', message: err.message };
  }
  if (!answer?.ok) {
    channel.close();
    const err = new Error(answer?.message ?? 'The tab could not be recorded.');
    // A refused microphone keeps its DOMException name, so the sidebar
    // gives the same advice as for its own microphone.
    err.name = answer?.error?.startsWith('microphone_') ? answer.error.slice('microphone_'.length) : 'TabCaptureError';
    throw err;
  }
  port = chrome.runtime.connect({ name: CapturePort });
  const control = (action) => send(Msg.CaptureControl, { action }).catch(() => {});
  return { stop: () => control('stop'), pause: () => control('pause'), resume: () => control('resume') };
}
