// The registry map (templates/dtks/map.html): Leaflet (static/vendor), fed by the map endpoint
// with counts per square from far away and single homes close in (dtks/maps.py).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("peta");
    if (!box || !window.L) { return; }
    var d = box.dataset;
    var status = document.getElementById("peta-status");
    var map = L.map(box, { preferCanvas: true });
    if (d.tiles) {
      L.tileLayer(d.tiles, { attribution: d.attribution, maxZoom: 19 }).addTo(map);
    } else {
      box.classList.add("plain"); // no tile server: the homes on a plain background
    }
    L.control.scale({ imperial: false }).addTo(map);
    map.fitBounds([[+d.south, +d.west], [+d.north, +d.east]], { padding: [20, 20], maxZoom: 16 });
    var layer = L.layerGroup().addTo(map);
    var asked = 0;

    function homePage(id) { return d.household.replace("/0/", "/" + id + "/"); }

    function cell(row) {
      var digits = String(row[2]).length;
      var side = 26 + digits * 6;
      var marker = L.marker([row[0], row[1]], {
        icon: L.divIcon({ className: "map-cell", html: String(row[2]), iconSize: [side, side] }),
        keyboard: false
      });
      marker.bindTooltip(row[2] + " " + d.homes);
      marker.on("click", function () { map.setView([row[0], row[1]], map.getZoom() + 2); });
      return marker;
    }

    function home(row) {
      var marker = L.circleMarker([row[0], row[1]], {
        radius: 8, color: "#08543c", weight: 2, fillColor: "#0b6e4f", fillOpacity: 0.9
      });
      marker.on("click", function () { window.location.href = homePage(row[2]); });
      return marker;
    }

    function complaints(row) {
      var marker = L.circleMarker([row[0], row[1]], {
        radius: 10 + Math.min(row[2], 20), color: "#b45309", weight: 3, fillOpacity: 0.15
      });
      marker.bindTooltip(row[3] + ": " + row[2] + " " + d.complaints);
      return marker;
    }

    var area = L.latLngBounds([[+d.south, +d.west], [+d.north, +d.east]]).pad(0.05);

    function load() {
      var bounds = map.getBounds();
      if (!bounds.intersects(area)) { // nothing of the user's area can be in this view
        layer.clearLayers();
        status.textContent = d.outside;
        return;
      }
      var mine = ++asked;
      var view = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
        .map(function (n) { return Math.max(-180, Math.min(180, n)).toFixed(6); });
      var url = d.points + "?bbox=" + view.join(",") + "&zoom=" + Math.max(1, map.getZoom());
      status.textContent = d.loading;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) {
          if (!answer.ok) { throw new Error(String(answer.status)); }
          return answer.json();
        })
        .then(function (data) {
          if (mine !== asked) { return; } // the map moved again meanwhile
          layer.clearLayers();
          data.cells.forEach(function (row) { cell(row).addTo(layer); });
          data.points.forEach(function (row) { home(row).addTo(layer); });
          data.complaints.forEach(function (row) { complaints(row).addTo(layer); });
          box.setAttribute("data-total", data.total);
          status.textContent = (data.capped ? d.capped + " " : "") + d.shown.replace("{n}", data.total);
        })
        .catch(function () { if (mine === asked) { status.textContent = d.failed; } });
    }

    map.on("moveend", load);
    load();
  });
})();
