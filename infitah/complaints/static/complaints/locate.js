// "Use my position": fills the latitude and longitude fields from the browser's
// geolocation. Progressive enhancement only: the form works without it.
(function () {
  var box = document.querySelector("[data-locate]");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var label = document.getElementById("locate-label");
  if (!box || !lat || !lon || !label || !navigator.geolocation) return;
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label.content.textContent;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (p) {
      lat.value = p.coords.latitude.toFixed(6);
      lon.value = p.coords.longitude.toFixed(6);
      button.disabled = false;
    }, function () {
      button.disabled = false;
    }, { timeout: 15000 });
  });
  box.appendChild(button);
})();
