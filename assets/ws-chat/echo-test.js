// The seed's first WebSocket example (chapter 6, 基本示例), pointed at this
// server's own /echo: the public echo service it used is gone. Where the seed
// writes console.log, we also add a line to the page.
//
// Between them, this page and chat.js use every part of the browser's
// WebSocket API the seed lists: the constructor, onopen/onmessage/onerror/
// onclose and addEventListener, send() with a string, an ArrayBuffer and a
// Blob, close(), binaryType, bufferedAmount; and readyState, protocol and
// extensions besides.
'use strict';

(function () {
  function log(text) {
    console.log(text);
    const li = document.createElement('li');
    li.textContent = text; // what the server sent is text, never HTML
    document.getElementById('log').append(li);
  }

  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/echo';

  // ANCHOR: seed
  log('new WebSocket("' + url + '")');
  var ws = new WebSocket(url);
  // Binary frames arrive as ArrayBuffer instead of Blob.
  ws.binaryType = 'arraybuffer';

  ws.onopen = function (evt) {
    log('Connection open ...');
    // readyState 1 is OPEN. protocol and extensions are what the server
    // agreed to in its 101: here nothing (no subprotocol, no compression).
    log('readyState=' + ws.readyState + ' protocol="' + ws.protocol +
        '" extensions="' + ws.extensions + '"');
    ws.send('Hello WebSockets!');
  };

  ws.onmessage = function (evt) {
    if (typeof evt.data === 'string') {
      log('Received Message: ' + evt.data);
      // One step past the seed: a binary frame, 4 bytes.
      ws.send(new Uint8Array([0, 1, 2, 255]).buffer);
      log('sent 4 binary bytes; bufferedAmount now ' + ws.bufferedAmount);
    } else if (evt.data instanceof ArrayBuffer) {
      log('Received ArrayBuffer of ' + evt.data.byteLength + ' bytes: ' +
          Array.from(new Uint8Array(evt.data)).join(','));
      ws.close();
    }
  };

  ws.onerror = function () {
    log('error (see onclose for the code)');
  };

  ws.onclose = function (evt) {
    log('Connection closed. code=' + evt.code + ' wasClean=' + evt.wasClean);
  };
  // ANCHOR_END: seed

  // ANCHOR: blob
  // The button: a second connection, with addEventListener (any number of
  // listeners per event) and the default binaryType, "blob".
  document.getElementById('send-blob').addEventListener('click', function () {
    const socket = new WebSocket(url);
    log('[blob] new WebSocket, readyState=' + socket.readyState + ' (CONNECTING)');
    socket.addEventListener('open', function () {
      // Bytes, like a file from <input type="file">: one binary frame.
      // Its size is in bytes (UTF-8): 你好 is 6 of them.
      const blob = new Blob(['Hello, Blob! 你好']);
      socket.send(blob);
      log('[blob] sent a Blob of ' + blob.size + ' bytes');
    });
    socket.addEventListener('message', async function (event) {
      const text = await event.data.text(); // a Blob is read asynchronously
      log('[blob] Received ' + event.data.constructor.name + ' of ' +
          event.data.size + ' bytes: ' + text);
      socket.close(1000, 'done');
      log('[blob] close(1000, "done"), readyState=' + socket.readyState + ' (CLOSING)');
    });
    socket.addEventListener('close', function (event) {
      log('[blob] closed. code=' + event.code + ' reason="' + event.reason +
          '" wasClean=' + event.wasClean + ' readyState=' + socket.readyState + ' (CLOSED)');
    });
  });
  // ANCHOR_END: blob
})();
