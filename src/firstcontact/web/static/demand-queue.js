// The dispatcher queue, kept live: the server sends a "change" event (over server-sent
// events) whenever an incident or unit changes in any worker; this fetches the queue table
// again, with the page's filters, and swaps it in. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  var status = document.getElementById("live-status");
  if (!queue || !window.EventSource) { return; }
  var pending = false;
  var again = false;

  function say(text) { if (status) { status.textContent = text; } }

  function refresh() {
    if (pending) { again = true; return; }
    pending = true;
    again = false;
    var current = document.getElementById("queue");
    fetch(current.getAttribute("data-fragment"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("queue answered " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#queue");
        if (fresh) { document.getElementById("queue").replaceWith(fresh); }
        say("Updated " + new Date().toLocaleTimeString("en-GB"));
      })
      .catch(function () { say("Could not refresh the queue; retrying on the next change."); })
      .finally(function () {
        pending = false;
        if (again) { refresh(); }
      });
  }

  var source = new EventSource("/demand/stream");
  source.addEventListener("open", function () { say("Live: the queue updates itself."); });
  source.addEventListener("change", refresh);
  source.addEventListener("error", function () { say("Reconnecting to live updates…"); });
})();
