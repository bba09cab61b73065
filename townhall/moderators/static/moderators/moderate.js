/* Townhall moderation: keyboard and in-place decisions for the queue pages.
 *
 * Without this script every button is a plain form submit and works. With it, a decision
 * removes the item at once and moves to the next one; requests go out one at a time, in order,
 * so a moderator can keep pressing keys while earlier decisions are saved. A failed request
 * puts the item back with the error. CSRF: the token is read from <meta name="csrf-token">
 * (the cookie is HttpOnly) and sent as X-CSRFToken.
 */
(function () {
  "use strict";

  var form = document.getElementById("queue");
  var help = document.getElementById("help");
  var live = document.getElementById("live");
  var empty = document.getElementById("empty");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var current = -1;
  var chain = Promise.resolve();
  var pending = 0;
  var armed = null;  // a button with data-confirm pressed once: the next press on it acts
  var armedTimer = 0;
  var ARMED_MS = 5000;

  // The page's words for what this script writes (data-t-NAME on <body>, in the page's language).
  function say(name, fallback, vars) {
    var text = document.body.getAttribute("data-t-" + name) || fallback;
    return text.replace(/\{(\w+)\}/g, function (_, k) { return vars && k in vars ? vars[k] : ""; });
  }

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-item]:not([data-done])"));
  }

  function disarm() {
    if (!armed) { return; }
    armed.removeAttribute("data-armed");
    armed.firstChild.textContent = armed.getAttribute("data-label");
    armed = null;
    window.clearTimeout(armedTimer);
  }

  // A ban is the one decision that reaches beyond the comment (its author cannot post for days),
  // so it takes a second press of the same key or button; anything else cancels it.
  function arm(button) {
    disarm();
    armed = button;
    var ban = document.getElementById("ban-days");
    var days = ban && ban.selectedIndex >= 0 ? ban.options[ban.selectedIndex].text : "";
    button.setAttribute("data-label", button.firstChild.textContent);
    button.setAttribute("data-armed", "");
    button.firstChild.textContent = say("ban", "Press again to ban for {days}", { days: days }) + " ";
    announce(say("cancel", "{action}, or any other key to cancel.", { action: button.firstChild.textContent.trim() }));
    armedTimer = window.setTimeout(disarm, ARMED_MS);
  }

  function confirmed(button) {
    if (!button.hasAttribute("data-confirm") || armed === button) { disarm(); return true; }
    arm(button);
    return false;
  }

  function select(index, focus) {
    var list = items();
    if (!list.length) { current = -1; return; }
    current = Math.max(0, Math.min(index, list.length - 1));
    if (armed && armed.closest("[data-item]") !== list[current]) { disarm(); }
    list.forEach(function (el, i) {
      el.classList.toggle("is-current", i === current);
      if (i === current) { el.setAttribute("aria-current", "true"); } else { el.removeAttribute("aria-current"); }
    });
    var el = list[current];
    if (focus !== false) { el.focus({ preventScroll: true }); }
    el.scrollIntoView({ block: "nearest" });
  }

  function announce(text) {
    if (live) { live.textContent = text; }
  }

  function setPending(delta) {
    pending += delta;
    document.body.setAttribute("data-pending", String(pending));
  }

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data.ok) {
          throw new Error(data.message || ("The server answered " + response.status));
        }
        return data;
      });
    });
  }

  function showError(item, message) {
    var box = item.querySelector(".item-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "item-error";
      box.setAttribute("role", "alert");
      item.insertBefore(box, item.firstChild);
    }
    box.textContent = message;
  }

  function finishIfEmpty() {
    if (items().length || pending) { return; }
    if (form && form.getAttribute("data-has-more") === "1") {
      window.location.reload();
    } else if (empty) {
      empty.hidden = false;
      announce(say("empty", "Nothing left in this queue."));
    }
  }

  function toggleFeature(button, featured) {
    button.formAction = button.formAction.replace(featured ? /\/feature\/$/ : /\/unfeature\/$/,
      featured ? "/unfeature/" : "/feature/");
    button.firstChild.textContent = featured ? "Unfeature " : "Feature ";
    button.closest("[data-item]").classList.toggle("is-featured", featured);
  }

  function decide(item, button) {
    var stay = button.hasAttribute("data-stay");
    var body = new FormData();
    var ban = document.getElementById("ban-days");
    if (ban) { body.append("ban_days", ban.value); }
    var index = items().indexOf(item);
    if (!stay) {
      item.setAttribute("data-done", "");
      item.hidden = true;
      select(index);
    }
    setPending(1);
    chain = chain.then(function () {
      return send(button.formAction, body);
    }).then(function (data) {
      announce(data.message || "Saved");
      if (stay) {
        toggleFeature(button, !!data.featured);
      } else {
        item.parentNode.removeChild(item);
        var count = document.querySelector('.top nav a[aria-current="page"] .count');
        if (count && +count.textContent > 0) { count.textContent = String(+count.textContent - 1); }
      }
    }).catch(function (error) {
      item.removeAttribute("data-done");
      item.hidden = false;
      showError(item, error.message);
      announce(error.message);
    }).then(function () {
      setPending(-1);
      finishIfEmpty();
    });
  }

  function act(key) {
    var list = items();
    var item = list[current];
    if (!item) { return false; }
    var target = item.querySelector('[data-key="' + key + '"]');
    if (!target) { return false; }
    if (target.tagName === "A") {
      window.location.assign(target.href);
    } else if (confirmed(target)) {
      decide(item, target);
    }
    return true;
  }

  function toggleHelp(show) {
    if (!help) { return; }
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) { document.getElementById("help-close").focus(); } else { select(current); }
  }

  function typing(el) {
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) { return true; }
    return tag === "INPUT" && ["checkbox", "radio", "button", "submit"].indexOf(el.type) < 0;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (armed && key !== "b") { disarm(); }
    if (key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (key === "Escape") { toggleHelp(false); return; }
    if (help && !help.hidden) { return; }
    if (key === "j") { select(current + 1); } else if (key === "k") { select(current - 1); } else if (key === "x") {
      var box = items()[current] && items()[current].querySelector('input[name="ids"]');
      if (box) { box.checked = !box.checked; }
    } else if ("arbsfe".indexOf(key) >= 0 && key.length === 1) {
      if (!act(key)) { return; }
    } else { return; }
    event.preventDefault();
  });

  if (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var item = button && button.closest("[data-item]");
      if (!item || !button.hasAttribute("data-key")) { return; }  // bulk buttons: a normal submit
      event.preventDefault();
      current = items().indexOf(item);
      if (confirmed(button)) { decide(item, button); }
    });
  }

  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      items().forEach(function (el) {
        var box = el.querySelector('input[name="ids"]');
        if (box) { box.checked = all.checked; }
      });
    });
  }

  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest("[data-item]");
    if (item) { select(items().indexOf(item), false); }
  });

  // The phrases behind a hostility score are computed by the server when a moderator opens them
  // (a few dozen model passes), never while the queue loads.
  document.addEventListener("toggle", function (event) {
    var box = event.target;
    if (!box.open || !box.matches || !box.matches("details[data-explain]") || box.dataset.loaded) { return; }
    box.dataset.loaded = "1";
    fetch(box.dataset.explain, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var list = document.createElement("ul");
        list.className = "phrases";
        (data.phrases || []).forEach(function (p) {
          var li = document.createElement("li");
          var mark = document.createElement("mark");
          mark.textContent = p.text;
          li.appendChild(mark);
          li.appendChild(document.createTextNode(" \u2212" + p.weight.toFixed(2)));
          list.appendChild(li);
        });
        if (!list.children.length) {
          var none = document.createElement("li");
          none.textContent = say("whole", "No single phrase moves the score much.");
          list.appendChild(none);
        }
        box.replaceChild(list, box.querySelector("p"));
      })
      .catch(function () { box.dataset.loaded = ""; });
  }, true);

  var close = document.getElementById("help-close");
  if (close) { close.addEventListener("click", function () { toggleHelp(false); }); }

  setPending(0);
  if (items().length) { select(0); }
  document.body.setAttribute("data-ready", "1");
})();
