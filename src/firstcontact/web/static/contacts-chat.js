// The public live chat. A message is shown as "Sending" until the server says it is stored
// (an "ack"); until then it waits in localStorage and is sent again after a dropped
// connection or a reload. The server ignores a resend (same client id), and this page shows
// each stored message once, by its id.
(function () {
  "use strict";
  var KEY = "firstcontact.chat";
  var saved = load();
  var shown = {};
  var lastId = 0;
  var socket = null;
  var retryMs = 500;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch (e) { return null; }
  }
  function save() { localStorage.setItem(KEY, JSON.stringify(saved)); }
  function el(id) { return document.getElementById(id); }
  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function line(key, who, text, state) {
    var item = document.getElementById("msg-" + key);
    if (!item) {
      item = document.createElement("li");
      item.id = "msg-" + key;
      el("chat-log").appendChild(item);
    }
    item.textContent = who + ": " + text + (state ? " (" + state + ")" : "");
    item.setAttribute("data-state", state || "sent");
    return item;
  }

  function showMessage(m) {
    if (m.id > lastId) { lastId = m.id; }
    if (shown[m.id]) { return; }
    shown[m.id] = true;
    var pending = document.getElementById("msg-" + m.client_id);
    if (pending) { pending.remove(); }
    line(m.client_id, m.sender === "public" ? "You" : "Police", m.text, "");
  }

  function status(frame) {
    var text = frame.status === "waiting"
      ? "Waiting for someone to answer. You are number " + frame.position + " in the queue."
      : frame.status === "active" ? "You are talking to the police." : "This chat has ended.";
    el("chat-status").textContent = text;
  }

  function error(frame) {
    var box = el("chat-error");
    box.textContent = frame.message;
    box.hidden = false;
    if (frame.client_id) { forget(frame.client_id, frame.status === 422); }
  }

  function forget(clientId, drop) {
    if (!drop) { return; }
    saved.outbox = saved.outbox.filter(function (m) { return m.client_id !== clientId; });
    save();
    var item = document.getElementById("msg-" + clientId);
    if (item) { item.remove(); }
  }

  function onFrame(event) {
    var frame = JSON.parse(event.data);
    if (frame.type === "message") { showMessage(frame); }
    else if (frame.type === "ack") {
      forget(frame.client_id, true);
    } else if (frame.type === "status") { status(frame); }
    else if (frame.type === "error") { error(frame); }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/chat/socket");
    socket.onopen = function () {
      retryMs = 500;
      socket.send(JSON.stringify({ type: "hello", token: saved.token, after: lastId }));
      saved.outbox.forEach(function (m) { socket.send(JSON.stringify(m)); });
    };
    socket.onmessage = onFrame;
    socket.onclose = function (event) {
      if (event.code === 4401) { localStorage.removeItem(KEY); return; }
      el("chat-status").textContent = "Connection lost. Reconnecting…";
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  function open() {
    el("chat-start").hidden = true;
    el("chat").hidden = false;
    saved.outbox.forEach(function (m) { line(m.client_id, "You", m.text, "Sending"); });
    connect();
  }

  function start(event) {
    event.preventDefault();
    fetch("/api/chat/start", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: el("chat-name").value })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(typeof body.detail === "string" ? body.detail : "Try again."); }
        saved = { token: body.token, outbox: [] };
        save();
        open();
      });
    }).catch(function (problem) {
      el("chat-status").textContent = problem.message;
    });
  }

  function send(event) {
    event.preventDefault();
    var text = el("chat-text").value.trim();
    if (!text) { return; }
    el("chat-error").hidden = true;
    var message = { type: "send", client_id: newId(), text: text };
    saved.outbox.push(message);
    save();
    line(message.client_id, "You", text, "Sending");
    el("chat-text").value = "";
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); }
  }

  window.addEventListener("DOMContentLoaded", function () {
    el("chat-start").addEventListener("submit", start);
    el("chat-send").addEventListener("submit", send);
    if (saved && saved.token) { open(); }
  });
})();
