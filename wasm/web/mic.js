// The one-time microphone permission page, opened from the side panel when
// it cannot show the permission prompt itself.
(() => {
  'use strict';
  const result = document.getElementById('result');
  const allow = document.getElementById('allow');
  const say = (text, cls) => { result.textContent = text; result.className = cls; };
  // ?camera=1: for calls, the camera is asked for with the microphone.
  const camera = new URLSearchParams(location.search).get('camera') === '1';
  const what = camera ? 'camera and microphone' : 'microphone';
  if (camera) {
    document.title = 'Allow the camera and microphone · Sidenote';
    document.querySelector('h1').textContent = allow.textContent = 'Allow the camera and microphone';
    document.getElementById('why').textContent = 'Sidenote holds telehealth calls in the side panel. The side panel can\'t ask for the camera and microphone itself, so it asks here, once.';
  }
  allow.addEventListener('click', async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: camera });
      stream.getTracks().forEach((t) => t.stop());
      say(`The ${what} ${camera ? 'are' : 'is'} allowed. You can close this tab and ${camera ? 'start the call' : 'record'} from the side panel.`, 'ok');
    } catch (err) {
      say(err?.name === 'NotAllowedError'
        ? `The ${what} ${camera ? 'were' : 'was'} blocked. Allow ${camera ? 'them' : 'it'} in the browser's site settings for Sidenote, then try again.`
        : `No ${what} could be used. Check that ${camera ? 'they are' : 'one is'} connected, then try again.`, 'error');
    }
  });
})();
