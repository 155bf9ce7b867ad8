// The field app (templates/core/field_app.html, core/fieldwork.py): the operator's area kept in
// IndexedDB, forms drawn from the server's step forms, an outbox sent in order when there is a
// network. No framework, no build; IndexedDB through its own API.
(function () {
  "use strict";
  var root, T, view, statusLine, countBadge;
  var DB_NAME = "silakso-lapangan";
  var MAX_SIDE = 1280; // photos are resized on the phone before they are kept

  // ------------------------------------------------------------------ IndexedDB
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("kept");
        db.createObjectStore("outbox", { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(store, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var result = work(t.objectStore(store));
        t.oncomplete = function () { db.close(); resolve(result instanceof IDBRequest ? result.result : result); };
        t.onerror = function () { db.close(); reject(t.error); };
        t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function kept() { return tx("kept", "readonly", function (s) { return s.get("data"); }); }
  function keep(data) { return tx("kept", "readwrite", function (s) { s.put(data, "data"); }); }
  function items() {
    return tx("outbox", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).sort(function (a, b) { return a.created - b.created; });
    });
  }
  function putItem(item) { return tx("outbox", "readwrite", function (s) { s.put(item); }); }
  function dropItem(key) { return tx("outbox", "readwrite", function (s) { s.delete(key); }); }

  function wipe() {
    var done = [new Promise(function (resolve) {
      var r = indexedDB.deleteDatabase(DB_NAME);
      r.onsuccess = r.onerror = r.onblocked = function () { resolve(); };
    })];
    if (window.caches) {
      done.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (n) { return caches.delete(n); }));
      }));
    }
    if (navigator.serviceWorker) {
      done.push(navigator.serviceWorker.getRegistrations().then(function (all) {
        return Promise.all(all.map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(done);
  }

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; }
      else if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), attrs[name]); }
      else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }
  function say(text, tone) {
    statusLine.textContent = text;
    statusLine.className = "message " + (tone || "info");
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }
  function storageError(error) {
    return error && (error.name === "QuotaExceededError" || /quota/i.test(String(error)));
  }

  // photos: drawn again at most MAX_SIDE px on the long side, as JPEG (static/js/photos.js)
  function resize(file) {
    return window.SilaksoPhotos.shrink(file, { maxSide: MAX_SIDE, quality: 0.75, strict: true });
  }

  // ------------------------------------------------------------------ views
  var data = null;
  var shown = 0; // the latest view asked for: a slower one drawn later must not replace it

  function household(id) {
    return (data && data.households || []).filter(function (h) { return h.id === id; })[0];
  }
  function headName(h) {
    var head = h.members.filter(function (m) { return m.head && m.living; })[0] || h.members[0];
    return head ? head.name : "";
  }

  function showHouseholds(query) {
    shown += 1;
    view.textContent = "";
    if (!data) { view.appendChild(el("p", { "class": "card", text: T.no_data })); return; }
    var search = el("input", { type: "search", id: "cari", value: query || "" });
    var list = el("ul", { "class": "field-list" });
    function fill() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.textContent = "";
      data.households.filter(function (h) {
        var text = (headName(h) + " " + h.address).toLowerCase();
        return words.every(function (w) { return text.indexOf(w) >= 0; });
      }).slice(0, 50).forEach(function (h) {
        list.appendChild(el("li", {}, [el("button", {
          type: "button", "class": "field-row", "data-household": h.id,
          onclick: function () { showHousehold(h.id); }
        }, [el("strong", { text: headName(h) }), el("span", { "class": "muted", text: " · " + h.address })])]));
      });
    }
    search.addEventListener("input", fill);
    var creates = Object.keys(data.forms).filter(function (name) { return data.forms[name].create; });
    if (creates.length) { // records made in the field, not on a kept household (a complaint)
      view.appendChild(el("div", { "class": "actions" }, creates.map(function (name) {
        return el("button", { type: "button", "class": "button secondary", text: data.forms[name].label, onclick: function () { showForm(name, "", null); } });
      })));
    }
    view.appendChild(el("label", { "for": "cari", text: T.search }));
    view.appendChild(search);
    view.appendChild(list);
    fill();
  }

  function showHousehold(id) {
    shown += 1;
    var h = household(id);
    view.textContent = "";
    view.appendChild(el("p", {}, [el("button", { type: "button", "class": "button secondary", text: T.back, onclick: function () { showHouseholds(); } })]));
    if (!h) { view.appendChild(el("p", { "class": "card", text: T.not_found })); return; }
    view.appendChild(el("h2", { text: headName(h) + " · " + h.address }));
    view.appendChild(el("h3", { text: T.members }));
    view.appendChild(el("ul", {}, h.members.map(function (m) {
      return el("li", { text: m.name + " (" + m.nik + ") · " + m.relation + (m.living ? "" : " · " + m.status) });
    })));
    if (h.flags.length) {
      view.appendChild(el("h3", { text: T.flags }));
      view.appendChild(el("ul", {}, h.flags.map(function (f) { return el("li", { text: f }); })));
    }
    var actions = el("div", { "class": "actions" });
    Object.keys(data.forms).forEach(function (name) {
      var form = data.forms[name];
      if (form.flow !== "household") { return; }
      actions.appendChild(el("button", { type: "button", "class": "button", text: form.label, onclick: function () { showForm(name, h.id, h.version); } }));
    });
    view.appendChild(actions);
  }

  function showVisits() {
    shown += 1;
    view.textContent = "";
    var visits = data ? data.campaign_items : [];
    if (!visits.length) { view.appendChild(el("p", { "class": "card", text: T.visits_empty })); return; }
    view.appendChild(el("ul", { "class": "field-list" }, visits.map(function (item) {
      var h = household(item.household);
      return el("li", {}, [el("button", {
        type: "button", "class": "field-row", onclick: function () { showForm("campaign_item:record", item.id, null); }
      }, [el("strong", { text: h ? headName(h) + " · " + h.address : T.household + " " + item.household }),
          el("span", { "class": "muted", text: " · " + item.campaign })])]);
    })));
  }

  function objectChoices(field, target) {
    var h = household(target);
    if (!h) { return []; }
    if (field.of === "individual") {
      return h.members.filter(function (m) { return m.living; }).map(function (m) { return [String(m.id), m.name]; });
    }
    if (field.of === "family") { return h.families.map(function (f) { return [String(f.id), "KK " + f.kk]; }); }
    return [];
  }

  function showForm(name, target, version, item) {
    shown += 1;
    var spec = data.forms[name];
    var values = item ? item.fields : {};
    var errors = item && item.answer ? item.answer.errors || {} : {};
    view.textContent = "";
    view.appendChild(el("p", {}, [el("button", { type: "button", "class": "button secondary", text: T.back, onclick: function () {
      if (spec.create) { showHouseholds(); } else if (spec.flow === "household") { showHousehold(target); } else { showVisits(); }
    } })]));
    view.appendChild(el("h2", { text: spec.label }));
    if (spec.flow === "household" && !household(target)) { // left the registry meanwhile
      view.appendChild(el("p", { "class": "card", text: T.not_found }));
      return;
    }
    if (spec.intro) { view.appendChild(el("p", { "class": "muted", text: spec.intro })); }
    if (item && item.answer && item.answer.message) { view.appendChild(el("p", { "class": "message error", role: "alert", text: item.answer.message })); }
    var form = el("form", { "class": "field-form", novalidate: "novalidate" });
    var photos = [];
    spec.fields.forEach(function (field) {
      var id = "f-" + field.name;
      var value = values[field.name] !== undefined ? values[field.name] : field.initial;
      var wrap = el("div", { "class": "field" });
      var input;
      if (field.type === "hidden") {
        form.appendChild(el("input", { type: "hidden", name: field.name, value: value || "" }));
        return;
      }
      if (field.type === "radio") {
        input = el("fieldset", {}, [el("legend", { text: field.label })]);
        field.choices.forEach(function (choice, index) {
          var rid = id + "-" + index;
          var radio = el("input", { type: "radio", name: field.name, id: rid, value: choice[0] });
          if (String(value) === choice[0]) { radio.checked = true; }
          input.appendChild(el("div", { "class": "choice" }, [radio, el("label", { "for": rid, text: choice[1] })]));
        });
        wrap.appendChild(input);
      } else {
        wrap.appendChild(el("label", { "for": id, text: field.label }));
        if (field.type === "select" || field.type === "object") {
          var choices = field.type === "object" ? objectChoices(field, target) : field.choices;
          choices = choices.filter(function (c) { return c[0] !== ""; });
          input = el("select", { id: id, name: field.name }, [el("option", { value: "", text: T.choose })].concat(
            choices.map(function (c) { return el("option", { value: c[0], text: c[1] }); })));
          // the household's only KK (or only member) needs no choosing
          input.value = value || (field.required && choices.length === 1 ? choices[0][0] : "");
        } else if (field.type === "textarea") {
          input = el("textarea", { id: id, name: field.name, rows: "3" });
          input.value = value || "";
        } else if (field.type === "photo") {
          input = el("input", { id: id, name: field.name, type: "file", accept: "image/*", capture: "environment", "data-own-shrink": "" });
          photos.push(field);
        } else if (field.type === "checkbox") {
          input = el("input", { id: id, name: field.name, type: "checkbox" });
          input.checked = value === "on" || value === "True";
        } else {
          input = el("input", { id: id, name: field.name, type: field.type === "date" ? "date" : "text", value: value || "" });
          if (field.inputmode) { input.setAttribute("inputmode", field.inputmode); }
        }
        wrap.appendChild(input);
      }
      if (field.help) { wrap.appendChild(el("p", { "class": "help", text: field.help })); }
      (errors[field.name] || []).forEach(function (message) {
        wrap.appendChild(el("p", { "class": "error-text", role: "alert", text: message }));
      });
      form.appendChild(wrap);
    });
    (errors.__all__ || []).forEach(function (message) { form.appendChild(el("p", { "class": "message error", text: message })); });
    var submit = el("button", { type: "submit", "class": "button", text: T.save });
    form.appendChild(submit);
    if (navigator.geolocation && spec.fields.some(function (f) { return f.name === "latitude"; })) {
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
      }, function () {}, { timeout: 10000 });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = {};
      var missing = false;
      form.querySelectorAll(".error-text.local").forEach(function (e) { e.remove(); });
      spec.fields.forEach(function (field) {
        if (field.type === "photo") { return; }
        var control = form.elements[field.name];
        var value = field.type === "checkbox" ? (control.checked ? "on" : "") : (control ? control.value : "");
        fields[field.name] = value;
        if (field.required && !value && field.type !== "hidden") {
          missing = true;
          var box = (control.length && control[0] ? control[0].closest(".field") : control.closest(".field"));
          box.appendChild(el("p", { "class": "error-text local", role: "alert", text: T.required }));
        }
      });
      var before = item && item.photos ? item.photos : {};
      photos.forEach(function (field) {
        if (field.required && !form.elements[field.name].files[0] && !before[field.name]) {
          missing = true;
          form.elements[field.name].closest(".field").appendChild(el("p", { "class": "error-text local", role: "alert", text: T.required }));
        }
      });
      if (missing) { return; }
      submit.disabled = true;
      var resized = {};
      Promise.all(photos.map(function (field) {
        var file = form.elements[field.name].files[0];
        if (!file) { if (before[field.name]) { resized[field.name] = before[field.name]; } return null; }
        return resize(file).then(function (blob) { resized[field.name] = blob; });
      })).then(function () {
        var entry = item || { key: newKey(), created: Date.now() };
        entry.flow = spec.flow; entry.step = spec.step; entry.object = target;
        // corrected now, it is made on the copy the phone has now
        var current = item && spec.flow === "household" ? household(target) : null;
        entry.version = current ? current.version : (item ? item.version : version);
        entry.fields = fields; entry.photos = resized;
        entry.label = spec.create ? spec.label : spec.label + " · " + (spec.flow === "household" && household(target) ? headName(household(target)) : T.visit + " " + target);
        entry.state = "waiting"; entry.answer = null;
        return putItem(entry);
      }, function () { throw { photo: true }; }).then(function () {
        say(T.saved, "success");
        refreshCount();
        showOutbox();
        sync();
      }).catch(function (error) {
        submit.disabled = false;
        say(error && error.photo ? T.photo_failed : (storageError(error) ? T.storage_full : String(error)), "error");
      });
    });
    view.appendChild(form);
  }

  function showOutbox() {
    var mine = ++shown;
    items().then(function (all) {
      if (mine !== shown) { return; }
      view.textContent = "";
      if (!all.length) { view.appendChild(el("p", { "class": "card", text: T.outbox_empty })); return; }
      view.appendChild(el("ul", { "class": "field-list outbox" }, all.map(function (item) {
        var row = el("li", { "class": "card outbox-item state-" + item.state, "data-state": item.state }, [
          el("strong", { text: item.label }),
          el("p", { "class": "muted", text: T[item.state] || item.state })
        ]);
        if (item.answer && item.answer.message) { row.appendChild(el("p", { text: item.answer.message })); }
        if (item.answer && item.answer.errors) { // the server's reasons, under the fields' own names
          var spec = data && data.forms[item.flow + ":" + item.step];
          Object.keys(item.answer.errors).forEach(function (name) {
            var field = spec && spec.fields.filter(function (f) { return f.name === name; })[0];
            item.answer.errors[name].forEach(function (message) {
              row.appendChild(el("p", { "class": "error-text", text: (field ? field.label + ": " : "") + message }));
            });
          });
        }
        if (item.state === "refused") {
          row.appendChild(el("button", { type: "button", "class": "button", text: T.edit, onclick: function () {
            showForm(item.flow + ":" + item.step, item.object, item.version, item);
          } }));
        }
        if (item.state === "conflict") {
          row.appendChild(el("p", { text: T.yours + ": " + Object.keys(item.fields).map(function (k) { return item.fields[k]; }).filter(Boolean).join(", ") }));
          (item.answer.changes || []).forEach(function (change) {
            row.appendChild(el("p", { "class": "muted", text: T.theirs + ": " + [change.event, change.by, change.at].filter(Boolean).join(" · ") }));
          });
          row.appendChild(el("button", { type: "button", "class": "button", text: T.resend, onclick: function () {
            // the newest copy this phone has (refreshed after the sync), else the conflict's
            var newest = item.flow === "household" ? household(item.object) : null;
            item.version = newest ? newest.version : (item.answer.object ? item.answer.object.version : item.version);
            item.state = "waiting";
            putItem(item).then(function () { showOutbox(); sync(); });
          } }));
        }
        if (item.state !== "sending") {
          row.appendChild(el("button", { type: "button", "class": "button secondary", text: T.remove, onclick: function () {
            dropItem(item.key).then(function () { refreshCount(); showOutbox(); });
          } }));
        }
        return row;
      })));
    });
  }

  function refreshCount() {
    return items().then(function (all) {
      countBadge.textContent = all.filter(function (i) { return i.state !== "accepted"; }).length;
    });
  }

  // ------------------------------------------------------------------ network
  var syncing = false;

  function send(item) {
    var body = new FormData();
    body.append("key", item.key);
    body.append("flow", item.flow);
    body.append("step", item.step);
    body.append("object", item.object);
    body.append("version", item.version === null || item.version === undefined ? "" : item.version);
    body.append("fields", JSON.stringify(item.fields));
    Object.keys(item.photos || {}).forEach(function (name) { body.append(name, item.photos[name], name + ".jpg"); });
    return fetch(root.dataset.submit, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": cookie(root.dataset.csrfCookie), Accept: "application/json" }
    }).then(function (answer) {
      if (answer.status === 401 || answer.status === 403 || answer.redirected) { throw { signedOut: true, status: answer.status }; }
      return answer.json();
    });
  }

  function sync() {
    if (syncing || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    return items().then(function (all) {
      var waiting = all.filter(function (i) { return i.state === "waiting" || i.state === "sending"; });
      var sent = 0;
      var moved = {}; // object → the version this phone's own accepted items took it from and to
      return waiting.reduce(function (chain, item) {
        return chain.then(function () {
          var own = moved[item.flow + ":" + item.object];
          if (own && String(item.version) === String(own.from)) {
            item.version = own.to; // made on the same copy as an item of this phone: not a conflict
          }
          item.state = "sending";
          return putItem(item).then(function () { return send(item); }).then(function (answer) {
            item.state = answer.status === "accepted" ? "accepted" : answer.status;
            item.answer = answer;
            if (answer.status === "accepted") {
              sent += 1;
              item.photos = {}; // sent: the phone keeps no copy of the photos
              if (answer.object && answer.object.version !== undefined && item.version !== null && item.version !== "") {
                moved[item.flow + ":" + item.object] = { from: item.version, to: answer.object.version };
              }
            }
            return putItem(item);
          }, function (error) {
            item.state = "waiting"; // kept for the next try: nothing is lost
            return putItem(item).then(function () { throw error; });
          });
        });
      }, Promise.resolve()).then(function () { return sent; });
    }).then(function (sent) {
      return refresh().then(function () {
        return items().then(function (all) {
          var left = all.filter(function (i) { return i.state === "waiting"; }).length;
          if (sent) { say(T.sent.replace("{n}", sent).replace("{left}", left), "success"); }
        });
      });
    }).catch(function (error) {
      if (error && error.signedOut) { return handleSignedOut(error.status); }
      say(T.offline, "warning");
    }).then(function () {
      syncing = false;
      refreshCount();
      if (document.querySelector(".outbox")) { showOutbox(); }
    });
  }

  function handleSignedOut(status) {
    if (status === 403) { // the account may no longer use the app: nothing of it stays here
      return wipe().then(function () { data = null; say(T.wiped, "error"); view.textContent = ""; });
    }
    say(T.signed_out, "warning");
  }

  function refresh() {
    return fetch(root.dataset.data, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (answer) {
      if (answer.status === 403) { throw { signedOut: true, status: 403 }; }
      if (answer.redirected || answer.status === 401) { throw { signedOut: true, status: 401 }; }
      if (!answer.ok) { throw new Error(String(answer.status)); }
      return answer.json();
    }).then(function (fresh) {
      data = fresh;
      return keep(fresh).then(function () { showKept(); });
    });
  }

  function showKept() {
    if (!data) { say(navigator.onLine ? T.online : T.no_data, "info"); return; }
    var when = new Date(data.made_at).toLocaleString();
    var line = T.kept.replace("{n}", data.households.length).replace("{when}", when);
    say((navigator.onLine ? "" : T.offline + " ") + line, navigator.onLine ? "info" : "warning");
  }

  // ------------------------------------------------------------------ start
  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("lapangan");
    if (!root || !window.indexedDB) { return; }
    T = JSON.parse(document.getElementById("lapangan-texts").textContent);
    view = document.getElementById("lapangan-view");
    statusLine = document.getElementById("lapangan-status");
    countBadge = document.getElementById("lapangan-count");
    if (navigator.serviceWorker) {
      navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.scope }).catch(function () {});
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data === "sync") { sync(); }
      });
    }
    root.querySelectorAll("[data-view]").forEach(function (button) {
      button.addEventListener("click", function () {
        var name = button.getAttribute("data-view");
        if (name === "households") { showHouseholds(); }
        if (name === "visits") { showVisits(); }
        if (name === "outbox") { showOutbox(); }
      });
    });
    document.getElementById("lapangan-sync").addEventListener("click", function () {
      if (!navigator.onLine) { say(T.offline, "warning"); return; }
      sync();
    });
    window.addEventListener("online", function () { sync(); });
    window.addEventListener("offline", function () { showKept(); });
    kept().then(function (stored) {
      data = stored || null;
      showKept();
      showHouseholds();
      refreshCount();
      if (navigator.onLine) {
        // items waiting from before (the phone was closed mid-sync) go first, then fresh data
        return sync().then(function () { if (!data) { return refresh().then(function () { showHouseholds(); }); } });
      }
    }).catch(function () { say(T.no_data, "warning"); });
    if (navigator.serviceWorker && window.SyncManager) {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync.register("outbox");
      }).catch(function () {});
    }
  });
})();
