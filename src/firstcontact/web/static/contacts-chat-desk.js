// The digital desk's live-chat console: the waiting queue, taking a chat, and replying. Like
// the public page, a reply is "Sending" until stored, is kept in localStorage until then, and
// is sent again after a reconnect; chats already taken are resumed after a reload.
(function () {
  "use strict";
  var KEY = "firstcontact.desk-outbox";
  var outbox = load();
  var panes = {};
  var socket = null;
  var retryMs = 500;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save() { localStorage.setItem(KEY, JSON.stringify(outbox)); }
  function el(id) { return document.getElementById(id); }
  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function post(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); }
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.className = "govuk-table__cell";
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function queue(chats) {
    var body = el("chat-queue-body");
    body.textContent = "";
    chats.forEach(function (c) {
      var row = document.createElement("tr");
      row.className = "govuk-table__row";
      cell(row, c.visitor_name);
      cell(row, Math.floor(c.wait_seconds / 60) + " min " + (c.wait_seconds % 60) + " s");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
      button.textContent = "Take";
      button.setAttribute("data-take", c.chat_id);
      cell(row, "").appendChild(button);
      body.appendChild(row);
    });
    if (!chats.length) { cell(body.insertRow(), "Nobody is waiting.").colSpan = 3; }
  }

  function pane(chat) {
    if (panes[chat.chat_id]) { return panes[chat.chat_id]; }
    var section = el("desk-chat-template").content.firstElementChild.cloneNode(true);
    section.querySelector("h2").textContent = "Chat with " + chat.visitor_name;
    section.querySelector("[data-assess]").href = chat.assess_url;
    var text = section.querySelector("textarea");
    text.id = "reply-" + chat.chat_id;
    section.querySelector("label").htmlFor = text.id;
    var state = { section: section, log: section.querySelector("ol"), last: 0, shown: {} };
    section.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (!text.value.trim()) { return; }
      var frame = { type: "send", chat_id: chat.chat_id, client_id: newId(), text: text.value };
      outbox.push(frame);
      save();
      line(state, frame.client_id, "You", frame.text, "Sending");
      text.value = "";
      post(frame);
    });
    el("desk-chats").appendChild(section);
    panes[chat.chat_id] = state;
    return state;
  }

  function line(state, key, who, text, note) {
    var item = document.getElementById("desk-msg-" + key);
    if (!item) {
      item = document.createElement("li");
      item.id = "desk-msg-" + key;
      state.log.appendChild(item);
    }
    item.textContent = who + ": " + text + (note ? " (" + note + ")" : "");
  }

  function message(m) {
    var state = panes[m.chat_id];
    if (!state || state.shown[m.id]) { return; }
    state.shown[m.id] = true;
    state.last = Math.max(state.last, m.id);
    line(state, m.client_id, m.sender === "agent" ? "You" : "Visitor", m.text, "");
  }

  function onFrame(event) {
    var frame = JSON.parse(event.data);
    if (frame.type === "queue") { queue(frame.chats); }
    else if (frame.type === "mine") {
      frame.chats.forEach(function (c) {
        var state = pane(c);
        post({ type: "watch", chat_id: c.chat_id, after: state.last });
      });
      outbox.forEach(post);
    } else if (frame.type === "taken") { pane(frame); }
    else if (frame.type === "message") { message(frame); }
    else if (frame.type === "ack") {
      outbox = outbox.filter(function (m) { return m.client_id !== frame.client_id; });
      save();
    } else if (frame.type === "error") { el("desk-status").textContent = frame.message; }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/desk/chat/socket");
    socket.onopen = function () { retryMs = 500; el("desk-status").textContent = ""; };
    socket.onmessage = onFrame;
    socket.onclose = function () {
      el("desk-status").textContent = "Connection lost. Reconnecting…";
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  window.addEventListener("DOMContentLoaded", function () {
    el("chat-queue").addEventListener("click", function (event) {
      var id = event.target.getAttribute && event.target.getAttribute("data-take");
      if (id) { post({ type: "take", chat_id: Number(id) }); }
    });
    connect();
  });
})();
