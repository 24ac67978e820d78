// The test shop's own script: it records every Content-Security-Policy
// violation, mounts the checkout with the client secret the page carries,
// and notes the outcome scanpay.js reports.
(function () {
  "use strict";
  var shop = window.shop = { violations: [], outcomes: [] };
  document.addEventListener("securitypolicyviolation", function (e) {
    shop.violations.push(e.violatedDirective + " " + e.blockedURI);
  });
  function outcome(event) {
    return function (order) {
      shop.outcomes.push({ event: event, order: order });
      document.getElementById("outcome").textContent = event + " " + order.id;
    };
  }
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("checkout");
    if (el.dataset.probe === "true") {
      // Breaks the policy on purpose: the test proves it would notice.
      el.setAttribute("style", "color: red");
      return;
    }
    Scanpay.mountCheckout(el, {
      clientSecret: el.dataset.clientSecret,
      locale: el.dataset.locale,
      onPaid: outcome("paid"),
      onExpired: outcome("expired"),
      onCanceled: outcome("canceled")
    });
  });
})();
