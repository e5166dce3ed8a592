// Offscreen document of "Record this tab": mixes the captured tab with the
// clinician's microphone (Web Audio) and records the mix with the
// sidebar's own recorder (media.js); each chunk goes to the panel, which
// uploads it as it uploads its own recordings. The tab stays audible.
import { CaptureChannel, CapturePort, Msg, fromExtensionPage, send, serve } from './connector.js';

const channel = new BroadcastChannel(CaptureChannel);
let current = null; // { rec, release }

function coded(code, message, name) {
  const err = /** @type {CodedError} */ (new Error(message));
  err.code = code;
  if (name) err.name = name;
  return err;
}

async function tabStream(streamId) {
  try {
    // Chrome's legacy "mandatory" constraints are how a tabCapture stream id
    // is opened; the DOM's types do not know them.
    return await navigator.mediaDevices.getUserMedia({
      audio: /** @type {MediaTrackConstraints} */ (/** @type {unknown} */ ({ mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId } })),
    });
  } catch (err) {
    throw coded('tab_not_capturable', `Sidenote can't record this tab (${err.name}). Click the Sidenote icon on the call's tab and try again.`);
  }
}

async function microphone() {
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    // The panel shows the same advice as for its own microphone.
    throw coded(`microphone_${err.name}`, 'The microphone could not be used for the recording.', err.name);
  }
}

// mix routes the tab to the speakers (capturing a tab mutes it otherwise)
// and both sources into one stream for the recorder.
function mix(tab, mic) {
  const ac = new AudioContext();
  const out = ac.createMediaStreamDestination();
  const tabSource = ac.createMediaStreamSource(tab);
  tabSource.connect(ac.destination);
  tabSource.connect(out);
  ac.createMediaStreamSource(mic).connect(out);
  ac.resume().catch(() => {});
  return { ac, stream: out.stream };
}

async function record({ streamId, timesliceMs }) {
  if (current) throw coded('busy', 'A tab is already being recorded.');
  const tab = await tabStream(streamId);
  let mic;
  try {
    mic = await microphone();
  } catch (err) {
    for (const t of tab.getTracks()) t.stop();
    throw err;
  }
  const { ac, stream } = mix(tab, mic);
  const release = () => {
    for (const t of [...tab.getTracks(), ...mic.getTracks()]) t.stop();
    ac.close().catch(() => {});
  };
  const rec = sidenoteMedia.record(stream, timesliceMs, {
    chunk: (blob) => channel.postMessage({ kind: 'chunk', blob }),
    error: (name) => channel.postMessage({ kind: 'error', name }),
    stop: (blob) => {
      release();
      current = null;
      channel.postMessage({ kind: 'stop', blob });
      send(Msg.CaptureEnded).catch(() => {});
    },
  });
  // The mix's own track never ends: a closed tab or an unplugged
  // microphone ends the recording here.
  for (const t of [...tab.getAudioTracks(), ...mic.getAudioTracks()]) {
    t.addEventListener('ended', () => {
      if (rec.state === 'inactive') return;
      channel.postMessage({ kind: 'error', name: 'TrackEnded' });
      rec.stop();
    });
  }
  current = { rec };
  return { ok: true };
}

function control(action) {
  const rec = current?.rec;
  if (!rec || rec.state === 'inactive') return;
  if (action === 'stop') rec.stop();
  else if (action === 'pause' && rec.state === 'recording') rec.pause();
  else if (action === 'resume' && rec.state === 'paused') rec.resume();
}

serve({
  [Msg.CaptureRecord]: record,
  [Msg.CaptureControl]({ action }) {
    if (!['stop', 'pause', 'resume'].includes(action)) throw coded('bad_request', `Unknown action ${String(action)}.`);
    control(action);
    return { ok: true };
  },
});

// The panel uploads the chunks: when it closes, the recording stops (what
// was uploaded stays the session's recording).
chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== CapturePort || !fromExtensionPage(port.sender)) return;
  port.onDisconnect.addListener(() => control('stop'));
});
