// The seed's first WebSocket example (chapter 6, 基本示例), pointed at this
// server's own /echo: the public echo service it used is gone. Where the seed
// writes console.log, we also add a line to the page.
'use strict';

(function () {
  function log(text) {
    console.log(text);
    const li = document.createElement('li');
    li.textContent = text; // what the server sent is text, never HTML
    document.getElementById('log').append(li);
  }

  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/echo';
  log('new WebSocket("' + url + '")');
  var ws = new WebSocket(url);
  // Binary frames arrive as ArrayBuffer instead of Blob.
  ws.binaryType = 'arraybuffer';

  ws.onopen = function (evt) {
    log('Connection open ...');
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
})();
