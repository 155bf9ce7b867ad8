// Small progressive enhancements of SILAKSO's forms (no inline scripts: the CSP allows none).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // One press only: a second tap while a slow upload runs would otherwise send it again
    // (the server also recognises the same form sent twice).
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit]");
        if (button) {
          button.disabled = true;
          button.textContent = form.getAttribute("data-sending") || button.textContent;
        }
      });
    });
    // A choice that takes effect at once (the language menu): send its form when it changes.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // Record where a field visit or a house photo takes place, when the phone allows it.
    if (document.querySelector("form[data-geolocate]") && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lat = document.querySelector("[name=latitude]");
        var lon = document.querySelector("[name=longitude]");
        if (lat) { lat.value = pos.coords.latitude.toFixed(6); }
        if (lon) { lon.value = pos.coords.longitude.toFixed(6); }
      });
    }
  });
})();
