/* SILAKSO: shrink photos on the phone before they are sent.
 *
 * A phone camera's photo is 2–8 MB; over a village connection three of them take most of a
 * minute. Every file input that takes images gets its pictures redrawn at most 1600 px on the
 * long side as JPEG (quality 0.8) — what the server would store anyway — so a photo leaves the
 * phone at a few hundred KB. Files that are not images (a PDF), small pictures, and browsers
 * without canvas or DataTransfer are sent as they are: the server checks and shrinks them too.
 * The camera's GPS position is read by the server from the original; where the page has
 * latitude/longitude fields the phone's own position fills them (see the step pages).
 */
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.8;
  var SMALL = 350 * 1024;

  function canShrink() {
    try {
      return typeof DataTransfer === "function" && !!new DataTransfer().items &&
        !!document.createElement("canvas").toBlob;
    } catch (e) {
      return false;
    }
  }

  // ``options`` (the field app): maxSide, quality, and strict — every picture larger than
  // maxSide is redrawn whatever its size in bytes, and a file that is not a readable picture
  // is refused instead of passed on.
  function shrink(file, options) {
    var opts = options || {};
    var maxSide = opts.maxSide || MAX_SIDE;
    var quality = opts.quality || QUALITY;
    return new Promise(function (resolve, reject) {
      var picture = /^image\/(jpeg|png|webp)$/.test(file.type);
      if (!picture || (!opts.strict && file.size <= SMALL)) {
        if (!picture && opts.strict) { reject(new Error("not a picture")); return; }
        resolve(file);
        return;
      }
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        var scale = Math.min(1, maxSide / Math.max(image.naturalWidth, image.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(image.naturalWidth * scale);
        canvas.height = Math.round(image.naturalHeight * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (!blob || (!opts.strict && blob.size >= file.size)) {
            if (!blob && opts.strict) { reject(new Error("encode")); return; }
            resolve(file);
            return;
          }
          var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", quality);
      };
      image.onerror = function () {
        URL.revokeObjectURL(url);
        if (opts.strict) { reject(new Error("decode")); return; }
        resolve(file);
      };
      image.src = url;
    });
  }

  function onChange(event) {
    var input = event.target;
    if (!input.files || !input.files.length || input.dataset.shrunk === "1") return;
    var form = input.form;
    var buttons = form ? form.querySelectorAll("button[type=submit]") : [];
    buttons.forEach(function (b) { b.disabled = true; });
    Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
      var transfer = new DataTransfer();
      files.forEach(function (f) { transfer.items.add(f); });
      input.dataset.shrunk = "1";
      input.files = transfer.files;
      input.dataset.shrunk = "";
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }

  // one way to shrink a photo, also for the field app (static/js/field.js), which keeps its
  // photos smaller still and shrinks them itself when an item is saved
  window.SilaksoPhotos = { shrink: shrink };
  if (!canShrink()) return;
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file]") && !input.hasAttribute("data-own-shrink")) {
      onChange(event);
    }
  });
})();
