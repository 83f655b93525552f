// Small progressive enhancements; every page works without JavaScript.
'use strict';

document.addEventListener('DOMContentLoaded', function () {
  // Show times in the reader's own time zone (the page says UTC otherwise).
  document.querySelectorAll('time[datetime]').forEach(function (el) {
    var when = new Date(el.getAttribute('datetime'));
    if (!isNaN(when.getTime())) {
      el.textContent = when.toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
    }
  });

  // Checking a Nightscout site takes a moment: say so, and prevent a double submit.
  var form = document.getElementById('nightscout-form');
  if (form) {
    form.addEventListener('submit', function () {
      var button = document.getElementById('save');
      var busy = document.getElementById('busy');
      if (button) { button.disabled = true; }
      if (busy) { busy.hidden = false; }
    });
  }

  // Coming back with the Back button shows the page as it was left: enable it again.
  window.addEventListener('pageshow', function () {
    var button = document.getElementById('save');
    var busy = document.getElementById('busy');
    if (button) { button.disabled = false; }
    if (busy) { busy.hidden = true; }
  });

  // Move keyboard and screen-reader focus to a problem, so it is read first.
  var problem = document.getElementById('problem');
  if (problem) { problem.focus(); }
});
