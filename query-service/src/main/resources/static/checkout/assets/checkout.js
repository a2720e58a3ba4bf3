// The hosted invoice page, kept current without reloading: polls the status every second, submits the
// simulate form with fetch, counts down to the expiry. The page reads fine without this script.
(function () {
  'use strict';

  var FINAL = ['paid', 'overpaid', 'cancelled', 'expired'];
  // No countdown for these: settled, or written off (an uncollectible invoice no longer expires, and can be paid).
  var NO_EXPIRY = ['paid', 'overpaid', 'cancelled', 'uncollectible'];
  var base = window.location.pathname.replace(/\/+$/, '');
  var form = document.getElementById('simulate-form');
  var errorBox = document.getElementById('simulate-error');
  var countdown = document.getElementById('countdown');
  var expiresAt = countdown ? Date.parse(countdown.getAttribute('data-expires-at')) : NaN;
  var poller = null;

  function byId(id) {
    return document.getElementById(id);
  }

  function show(element, visible) {
    if (element) {
      element.hidden = !visible;
    }
  }

  // Same as the server's BuyerView.countdown: "1 d 02:03:04", "02:03:04", "expired", or a dash once settled or
  // written off.
  function tick() {
    if (!countdown || isNaN(expiresAt)) {
      return;
    }
    var current = byId('status');
    var status = current ? current.textContent.trim() : '';
    if (NO_EXPIRY.indexOf(status) >= 0) {
      countdown.textContent = '\u2014';
      return;
    }
    if (status === 'expired') { // the ledger's word, whatever this browser's clock says
      countdown.textContent = 'expired';
      return;
    }
    var seconds = Math.floor((expiresAt - Date.now()) / 1000);
    if (seconds <= 0) {
      countdown.textContent = 'expired';
      show(form, false);
      show(byId('payment-instructions'), false);
      return;
    }
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    var days = Math.floor(seconds / 86400);
    var clock = pad(Math.floor(seconds % 86400 / 3600)) + ':' + pad(Math.floor(seconds % 3600 / 60)) + ':'
        + pad(seconds % 60);
    countdown.textContent = days > 0 ? days + ' d ' + clock : clock;
  }

  function render(status) {
    document.querySelectorAll('[data-field]').forEach(function (element) {
      var value = status[element.getAttribute('data-field')];
      element.textContent = value === null || value === undefined ? '' : value;
    });
    var isFinal = FINAL.indexOf(status.status) >= 0;
    show(byId('final-state'), isFinal);
    document.querySelectorAll('[data-final]').forEach(function (element) {
      show(element, element.getAttribute('data-final') === status.status);
    });
    var back = byId('return-link');
    if (back && status.return_url) {
      back.href = status.return_url;
      show(back, true);
    }
    show(byId('receipt-pdf'), status.has_receipt);
    var amount = byId('simulate-amount');
    if (amount && status.amount_due) {
      amount.placeholder = status.amount_due; // an empty amount pays what is due now
    }
    if (isFinal) {
      show(form, false);
      show(byId('payment-instructions'), false);
      if (poller !== null) {
        window.clearInterval(poller);
        poller = null;
      }
    }
  }

  function refresh() {
    return fetch(base + '/status', {headers: {'Accept': 'application/json'}, cache: 'no-store'})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) { if (status) { render(status); } })
        .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  function fail(message) {
    errorBox.textContent = message;
    show(errorBox, true);
  }

  // A fresh payment reference after each recorded payment: resubmitting the same form stays a no-op.
  function nonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var binary = '';
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    return 'sim_' + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var submit = byId('simulate-submit');
      submit.disabled = true;
      show(errorBox, false);
      fetch(form.action, {
        method: 'POST',
        headers: {'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams(new FormData(form)).toString()
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) {
            form.elements.reference.value = nonce();
            byId('simulate-amount').value = '';
            return refresh();
          }
          // The same reference stays: retrying after a refusal or a lost answer can never pay twice.
          fail(body.error || 'The payment could not be recorded. Please try again.');
        });
      }).catch(function () {
        fail('The ledger could not be reached. Please try again.');
      }).then(function () {
        submit.disabled = false;
      });
    });
  }

  tick();
  window.setInterval(tick, 1000);
  var current = byId('status');
  if (!current || FINAL.indexOf(current.textContent.trim()) < 0) {
    poller = window.setInterval(refresh, 1000);
  }
})();
