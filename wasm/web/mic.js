// The one-time microphone permission page, opened from the side panel when
// it cannot show the permission prompt itself.
(() => {
  'use strict';
  const result = document.getElementById('result');
  const allow = document.getElementById('allow');
  const say = (text, cls) => { result.textContent = text; result.className = cls; };
  allow.addEventListener('click', async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.getTracks().forEach((t) => t.stop());
      say('The microphone is allowed. You can close this tab and record from the side panel.', 'ok');
    } catch (err) {
      say(err?.name === 'NotAllowedError'
        ? 'The microphone was blocked. Allow it in the browser\'s site settings for Sidenote, then try again.'
        : 'No microphone could be used. Check that one is connected, then try again.', 'error');
    }
  });
})();
