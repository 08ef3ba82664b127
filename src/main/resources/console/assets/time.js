// Shows each <time datetime="...Z"> in the viewer's time zone; its title keeps the UTC text.
document.querySelectorAll("time[datetime]").forEach(function (t) {
  var d = new Date(t.getAttribute("datetime"));
  if (!isNaN(d)) { t.textContent = d.toLocaleString(); }
});
