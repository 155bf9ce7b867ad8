{% load static %}// The field app's service worker (served at {% url 'core:field_worker' %}, scope {% url 'core:field_app' %}):
// keeps the app shell, its styles and scripts for use without a network. The village's data
// lives in IndexedDB (static/js/field.js), not here; the data and the outbox go to the network.
"use strict";
var CACHE = "silakso-lapangan-{{ version }}";
var SHELL = [
  "{% url 'core:field_app' %}",
  "{% static 'css/silakso.css' %}",
  "{% static 'js/field.js' %}",
  "{% static 'js/forms.js' %}",
  "{% static 'js/photos.js' %}",
  "{% static 'js/htmx-2.0.4.min.js' %}",
  "{% static 'img/favicon.svg' %}",
  "{% static 'img/field-192.png' %}",
  "{% url 'core:field_manifest' %}"
];
var APP = "{% url 'core:field_app' %}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname === APP) {
    // the shell: the newest from the network, the kept one without it
    event.respondWith(fetch(request).then(function (answer) {
      if (answer.ok && !answer.redirected) {
        var copy = answer.clone();
        caches.open(CACHE).then(function (cache) { cache.put(APP, copy); });
      }
      return answer;
    }).catch(function () { return caches.match(APP); }));
    return;
  }
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
  }
});

// Background Sync (where the browser has it): wake the open app to send its outbox
self.addEventListener("sync", function (event) {
  if (event.tag !== "outbox") { return; }
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage("sync"); });
  }));
});
