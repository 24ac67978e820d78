/*
 * Scanpay in-page checkout.
 *
 *   <script src="https://GATEWAY/js/v1/scanpay.js"></script>
 *   Scanpay.mountCheckout(element, {clientSecret, locale, onPaid, onExpired, onCanceled})
 *
 * Draws the order's merchant, amount, QR code, countdown and live status
 * inside element (in the page, not a frame) and calls back once the order
 * is paid, expired or canceled. It talks to the gateway it was loaded from
 * and nothing else, with the order's client secret only, and uses no eval,
 * no inline style and no inline script, so it runs under a
 * Content-Security-Policy that allows only the gateway's origin for
 * scripts, styles, images and connections. Its texts are the hosted
 * checkout page's (the gateway fills them in below).
 */
(function () {
  "use strict";

  var messages = /* messages */ {};
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : window.location.origin;
  var SVG = "http://www.w3.org/2000/svg";
  var finished = { paid: true, expired: true, canceled: true };
  // The badges of the outcome screens, as on the hosted page.
  var icons = {
    paid: [["path", { d: "M5 12.5l4.5 4.5L19 7.5", "stroke-width": "3" }]],
    expired: [["circle", { cx: "12", cy: "12", r: "9" }], ["path", { d: "M12 7v5l3 2" }]],
    canceled: [["path", { d: "M7 7l10 10M17 7L7 17" }]]
  };

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function icon(kind) {
    var svg = document.createElementNS(SVG, "svg");
    var attrs = { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", "stroke-width": "2.5",
      "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true" };
    Object.keys(attrs).forEach(function (k) { svg.setAttribute(k, attrs[k]); });
    icons[kind].forEach(function (shape) {
      var el = document.createElementNS(SVG, shape[0]);
      Object.keys(shape[1]).forEach(function (k) { el.setAttribute(k, shape[1][k]); });
      svg.appendChild(el);
    });
    return svg;
  }

  // The stylesheet comes from the gateway too; a page may link it itself
  // to have it before the first paint.
  function linkStylesheet() {
    var href = origin + "/js/v1/scanpay.css";
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href) return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function pickLocale(locale) {
    var lang = String(locale || navigator.language || "en").toLowerCase().split(/[-_]/)[0];
    return Object.prototype.hasOwnProperty.call(messages, lang) ? lang : "en";
  }

  function clock(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function mountCheckout(element, options) {
    options = options || {};
    if (!element || typeof element.appendChild !== "function") {
      throw new TypeError("Scanpay.mountCheckout: element must be a DOM element");
    }
    var secret = String(options.clientSecret || "");
    var cut = secret.indexOf("_secret_");
    if (cut <= 0) {
      throw new TypeError("Scanpay.mountCheckout: clientSecret must be an order's client_secret (ord_..._secret_...)");
    }
    var lang = pickLocale(options.locale);
    var t = messages[lang];
    var base = origin + "/v1/orders/" + encodeURIComponent(secret.slice(0, cut));
    var query = "?client_secret=" + encodeURIComponent(secret);
    var callbacks = { paid: options.onPaid, expired: options.onExpired, canceled: options.onCanceled };

    var order = null, source = null, poller = null, ticker = null, deadline = 0, stopped = false, countdown = null;
    var root = node("div", "scanpay-checkout");
    root.lang = lang;
    root.setAttribute("data-status", "loading");
    while (element.firstChild) element.removeChild(element.firstChild);
    element.appendChild(root);
    linkStylesheet();

    function screen(status, title, note) {
      var section = node("section", "scanpay-screen scanpay-" + status);
      section.setAttribute("role", "status");
      var badge = node("div", "scanpay-badge");
      badge.appendChild(icon(status));
      section.appendChild(badge);
      section.appendChild(node("h2", "scanpay-title", title));
      section.appendChild(node("p", "scanpay-note", note));
      return section;
    }

    function render(o) {
      if (!o.livemode) root.appendChild(node("p", "scanpay-test", t.testMode));
      root.appendChild(node("p", "scanpay-merchant", o.merchant_name));
      root.appendChild(node("p", "scanpay-amount", o.display.amount));
      root.appendChild(node("p", "scanpay-currency", o.display.currency));
      if (o.description) root.appendChild(node("p", "scanpay-description", o.description));

      var pending = node("section", "scanpay-screen scanpay-pending");
      pending.setAttribute("aria-live", "polite");
      var frame = node("div", "scanpay-qr");
      var img = node("img");
      img.alt = "QR";
      img.src = base + "/qr.svg" + query;
      frame.appendChild(img);
      pending.appendChild(frame);
      pending.appendChild(node("p", "scanpay-hint", t.scan));
      var timer = node("p", "scanpay-timer", t.expiresIn + " ");
      countdown = node("span", "scanpay-countdown", "--:--");
      timer.appendChild(countdown);
      pending.appendChild(timer);
      root.appendChild(pending);

      root.appendChild(screen("paid", t.paid, t.embedPaidNote));
      root.appendChild(screen("expired", t.expired, t.expNote));
      root.appendChild(screen("canceled", t.canceled, t.canNote));
      root.appendChild(node("p", "scanpay-footer", t.order + " " + o.id));
    }

    function stop() {
      stopped = true;
      if (source) source.close();
      clearInterval(ticker);
      clearInterval(poller);
    }

    // show moves to the screen of status; the outcome is the gateway's
    // word, never the countdown's, so a payment in the last second counts.
    function show(status) {
      if (stopped) return;
      if (status === "partially_refunded" || status === "refunded") status = "paid";
      root.setAttribute("data-status", status);
      order.status = status;
      if (!finished[status]) return;
      stop();
      if (typeof callbacks[status] === "function") callbacks[status](order);
    }

    function failed() {
      stop();
      while (root.firstChild) root.removeChild(root.firstChild);
      root.setAttribute("data-status", "failed");
      root.appendChild(node("h2", "scanpay-title", t.failed));
      root.appendChild(node("p", "scanpay-note", t.failNote));
    }

    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = clock(left);
      if (left === 0 && !poller) poll(); // ask once the time is up, whatever the stream does
    }

    function read() {
      return fetch(base + query + "&locale=" + lang, { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error("Scanpay: the gateway answered " + r.status);
          return r.json();
        });
    }

    // poll reads the status every two seconds: where the event stream
    // cannot be had, and when the countdown ends.
    function poll() {
      if (poller || stopped) return;
      poller = setInterval(function () {
        read().then(function (o) { show(o.status); }, function () {});
      }, 2000);
    }

    function follow() {
      if (!window.EventSource) return poll();
      source = new EventSource(base + "/events" + query);
      source.addEventListener("status", function (e) {
        var status;
        try { status = JSON.parse(e.data).status; } catch (err) { return; }
        show(status);
      });
      source.onerror = function () {
        if (source.readyState === EventSource.CLOSED) poll();
      };
    }

    read().then(function (o) {
      if (stopped) return;
      order = o;
      render(o);
      deadline = Date.now() + o.seconds_remaining * 1000;
      show(o.status);
      if (stopped) return;
      ticker = setInterval(tick, 1000);
      tick();
      follow();
    }).catch(function () {
      if (!stopped) failed();
    });

    return {
      // unmount stops the checkout and empties the element.
      unmount: function () {
        stop();
        if (root.parentNode) root.parentNode.removeChild(root);
      }
    };
  }

  window.Scanpay = { mountCheckout: mountCheckout };
})();
