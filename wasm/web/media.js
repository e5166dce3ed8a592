// Media glue of the Sidenote sidebar: MediaRecorder, the input level meter,
// the call's peer connection and the Web Audio mix of its two sides. The
// decisions (when to record, offer, upload) are made in Go
// (wasm/internal/app); this file only drives the browser's media objects.
// Loaded by boot.js; no inline scripts (CSP).
(() => {
  'use strict';

  function pickType() {
    for (const t of ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4']) {
      if (MediaRecorder.isTypeSupported(t)) return t;
    }
    return '';
  }

  // meter shows the stream's input level in #rec-level, ten times a
  // second, straight in the DOM: a re-render of the sidebar for it would
  // cost more than the measurement.
  function meter(stream, paused) {
    if (!stream.getAudioTracks().length) return () => {};
    const ac = new AudioContext();
    const an = ac.createAnalyser();
    an.fftSize = 1024;
    ac.createMediaStreamSource(stream).connect(an);
    const buf = new Float32Array(an.fftSize);
    const timer = setInterval(() => {
      const el = document.getElementById('rec-level');
      if (!el) return;
      if (paused()) { el.value = 0; return; }
      an.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const x of buf) sum += x * x;
      // RMS on a log scale: speech sits in the middle of the meter.
      const db = 10 * Math.log10(sum / buf.length + 1e-10);
      el.value = Math.max(0, Math.min(1, (db + 60) / 60));
    }, 100);
    return () => { clearInterval(timer); ac.close().catch(() => {}); };
  }

  // record records stream in chunks of timesliceMs. h.chunk(blob) gets each
  // chunk, h.stop(blob) the whole recording, h.error(name) a failure; a
  // track that ends (microphone unplugged) stops the recording.
  function record(stream, timesliceMs, h) {
    const type = pickType();
    const rec = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const parts = [];
    const stopMeter = meter(stream, () => rec.state === 'paused');
    rec.addEventListener('dataavailable', (e) => {
      if (e.data && e.data.size > 0) { parts.push(e.data); h.chunk(e.data); }
    });
    rec.addEventListener('stop', () => { stopMeter(); h.stop(new Blob(parts, { type: rec.mimeType })); });
    rec.addEventListener('error', (e) => h.error((e.error && e.error.name) || 'Error'));
    for (const t of stream.getAudioTracks()) {
      t.addEventListener('ended', () => {
        if (rec.state !== 'inactive') { h.error('TrackEnded'); rec.stop(); }
      });
    }
    rec.start(timesliceMs);
    return rec;
  }

  // download saves url's body as name, with the given request headers
  // (the extension's bearer token; /app's cookie goes by itself).
  async function download(url, headers, name) {
    const resp = await fetch(url, { headers, credentials: 'same-origin' });
    if (!resp.ok) throw new Error(`download failed: ${resp.status}`);
    const href = URL.createObjectURL(await resp.blob());
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60000);
  }

  // The call: one local camera and microphone, one peer connection at a
  // time (a guest who rejoins gets a fresh one), and a mix of both sides'
  // audio for the recording.
  const call = {
    local: null, remote: null, pc: null, ice: [], pending: [],
    mix: null, mixed: new Set(),
    onCandidate: null, onState: null,

    async open(iceJSON, onCandidate, onState) {
      this.ice = JSON.parse(iceJSON || '[]');
      this.onCandidate = onCandidate;
      this.onState = onState;
      try {
        this.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      } catch (e) {
        // No camera (or a refused one): the call goes on with audio.
        if (e.name !== 'NotFoundError' && e.name !== 'NotReadableError' && e.name !== 'OverconstrainedError') throw e;
        this.local = await navigator.mediaDevices.getUserMedia({ audio: true });
      }
      this.attach();
      this.addToMix(this.local);
    },

    async offer() {
      if (this.pc) this.pc.close();
      const pc = new RTCPeerConnection({ iceServers: this.ice });
      this.pc = pc;
      this.pending = [];
      for (const t of this.local.getTracks()) pc.addTrack(t, this.local);
      pc.addEventListener('track', (e) => {
        this.remote = e.streams[0] || new MediaStream([e.track]);
        this.attach();
        this.addToMix(this.remote);
      });
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate && pc === this.pc) this.onCandidate(JSON.stringify(e.candidate));
      });
      pc.addEventListener('connectionstatechange', () => {
        if (pc === this.pc) this.onState(pc.connectionState);
      });
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription.sdp;
    },

    async answer(sdp) {
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
      for (const c of this.pending.splice(0)) await this.pc.addIceCandidate(c).catch(() => {});
    },

    candidate(text) {
      const c = JSON.parse(text).candidate;
      if (!this.pc || !c) return;
      if (!this.pc.remoteDescription) { this.pending.push(c); return; }
      this.pc.addIceCandidate(c).catch(() => {});
    },

    mute(on) { for (const t of this.local?.getAudioTracks() ?? []) t.enabled = !on; },
    camera(off) { for (const t of this.local?.getVideoTracks() ?? []) t.enabled = !off; },

    // mixedStream is both sides' audio in one stream, for MediaRecorder.
    mixedStream() {
      if (!this.mix) {
        const ac = new AudioContext();
        this.mix = { ac, dest: ac.createMediaStreamDestination() };
        for (const s of [this.local, this.remote]) if (s) this.addToMix(s, true);
      }
      return this.mix.dest.stream;
    },

    addToMix(stream, force) {
      if (!this.mix || !stream.getAudioTracks().length) return;
      if (this.mixed.has(stream) && !force) return;
      this.mixed.add(stream);
      this.mix.ac.createMediaStreamSource(stream).connect(this.mix.dest);
    },

    // attach shows the streams in the call's video elements, which the
    // sidebar renders; it is called again after each render.
    attach() {
      const set = (id, s) => {
        const el = document.getElementById(id);
        if (el && s && el.srcObject !== s) el.srcObject = s;
      };
      set('call-local', this.local);
      set('call-remote', this.remote);
    },

    close() {
      if (this.pc) this.pc.close();
      for (const t of this.local?.getTracks() ?? []) t.stop();
      if (this.mix) this.mix.ac.close().catch(() => {});
      Object.assign(this, { local: null, remote: null, pc: null, pending: [], mix: null, mixed: new Set() });
    },
  };

  globalThis.sidenoteMedia = { record, download, call };
})();
