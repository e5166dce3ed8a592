// The guest's side of a Sidenote telehealth call: signalling over the
// server's WebSocket (the ticket in data-ticket opens it once), audio and
// video peer to peer. The clinician's side makes the offer; this page
// answers. Messages: see README, "Telehealth calls".
'use strict';

(function () {
  const root = document.getElementById('call');
  if (!root) {
    return;
  }
  const clinician = root.dataset.clinician || 'Your clinician';
  const statusLine = document.getElementById('status');
  const recording = document.getElementById('recording');
  const remoteVideo = document.getElementById('remote');
  const localVideo = document.getElementById('local');
  const muteButton = document.getElementById('mute');
  const cameraButton = document.getElementById('camera');
  const leaveButton = document.getElementById('leave');
  const rejoin = document.getElementById('rejoin');

  let socket = null;
  let peer = null;
  let iceServers = [];
  let pendingCandidates = [];
  let finished = false;
  let localStream = null;

  function say(text) {
    statusLine.textContent = text;
  }

  function setState(state) {
    root.dataset.state = state;
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    }
  }

  // The camera and microphone; a guest without a camera joins with sound.
  const media = (async function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say('This browser cannot use a camera or microphone. Please open the link in an up-to-date browser.');
      return null;
    }
    try {
      localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    } catch (videoError) {
      try {
        localStream = await navigator.mediaDevices.getUserMedia({ audio: true });
        cameraButton.disabled = true;
        say('No camera could be used; you are joining with sound only.');
      } catch (audioError) {
        say('Your camera and microphone could not be used. Allow them in your browser\'s site settings, then choose "Join again".');
        rejoin.hidden = false;
        return null;
      }
    }
    localVideo.srcObject = localStream;
    return localStream;
  })();

  function closePeer() {
    if (peer) {
      peer.close();
      peer = null;
    }
    pendingCandidates = [];
    remoteVideo.srcObject = null;
  }

  async function answer(offer) {
    const stream = await media;
    closePeer();
    peer = new RTCPeerConnection({ iceServers: iceServers });
    if (stream) {
      stream.getTracks().forEach(function (track) { peer.addTrack(track, stream); });
    }
    peer.onicecandidate = function (event) {
      if (event.candidate) {
        send({ type: 'candidate', candidate: event.candidate.toJSON() });
      }
    };
    peer.ontrack = function (event) {
      remoteVideo.srcObject = event.streams[0] || new MediaStream([event.track]);
    };
    peer.onconnectionstatechange = function () {
      if (!peer) {
        return;
      }
      if (peer.connectionState === 'connected') {
        setState('connected');
        say('You are connected with ' + clinician + '.');
      } else if (peer.connectionState === 'failed') {
        say('The call could not connect. ' + clinician + ' may try again; if it keeps failing, tell them.');
      }
    };
    await peer.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    for (const candidate of pendingCandidates) {
      await peer.addIceCandidate(candidate);
    }
    pendingCandidates = [];
    const local = await peer.createAnswer();
    await peer.setLocalDescription(local);
    send({ type: 'answer', sdp: local.sdp });
  }

  async function addCandidate(candidate) {
    if (peer && peer.remoteDescription) {
      await peer.addIceCandidate(candidate);
    } else {
      pendingCandidates.push(candidate);
    }
  }

  function finish(text) {
    finished = true;
    closePeer();
    if (localStream) {
      localStream.getTracks().forEach(function (track) { track.stop(); });
    }
    if (socket) {
      socket.close();
    }
    recording.hidden = true;
    muteButton.disabled = cameraButton.disabled = leaveButton.disabled = true;
    say(text);
  }

  async function handle(message) {
    switch (message.type) {
      case 'welcome':
        iceServers = message.ice_servers || [];
        setState('waiting');
        say(message.peer_present ? 'Connecting to ' + clinician + '…' : 'Waiting for ' + clinician + ' to start the call.');
        break;
      case 'peer_joined':
        say('Connecting to ' + clinician + '…');
        break;
      case 'peer_left':
        closePeer();
        setState('waiting');
        say(clinician + ' left the call. Please wait here: they may rejoin.');
        break;
      case 'offer':
        await answer(message);
        break;
      case 'candidate':
        await addCandidate(message.candidate);
        break;
      case 'recording':
        recording.hidden = !message.on;
        break;
      case 'bye':
        closePeer();
        setState('waiting');
        say(clinician + ' hung up. Please wait here in case they call again.');
        break;
      case 'ended':
        setState('ended');
        finish('The session has ended. Thank you. You can close this page.');
        break;
    }
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = scheme + '//' + location.host + root.dataset.socket + '?ticket=' + encodeURIComponent(root.dataset.ticket);
    socket = new WebSocket(url);
    socket.onmessage = function (event) {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (err) {
        return;
      }
      handle(message).catch(function () {
        say('Something went wrong setting up the call. ' + clinician + ' may try again.');
      });
    };
    socket.onclose = function () {
      if (!finished) {
        setState('disconnected');
        closePeer();
        say('The connection to the session was lost. Choose "Join again" to come back.');
        rejoin.hidden = false;
      }
    };
  }

  function toggle(button, kind, onLabel, offLabel) {
    const off = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(off));
    button.textContent = off ? onLabel : offLabel;
    if (localStream) {
      localStream.getTracks().forEach(function (track) {
        if (track.kind === kind) {
          track.enabled = !off;
        }
      });
    }
  }

  muteButton.addEventListener('click', function () { toggle(muteButton, 'audio', 'Unmute', 'Mute'); });
  cameraButton.addEventListener('click', function () { toggle(cameraButton, 'video', 'Camera on', 'Camera off'); });
  leaveButton.addEventListener('click', function () {
    send({ type: 'bye' });
    setState('left');
    finish('You left the session.');
    rejoin.hidden = false;
  });
  rejoin.querySelector('a').href = location.pathname;

  connect();
})();
