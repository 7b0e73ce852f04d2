/* Dash 4's dcc.Dropdown, made usable with a screen reader (checked by axe-core in
   tests/web/test_a11y.py):
   - its Tab stop is a hidden <input aria-hidden="true"> that hands the focus on to the
     dropdown's button (axe: "aria-hidden-focus", serious: a focusable element hidden from
     assistive technology). Here the button itself is the Tab stop and the input is not;
     the dropdown opens, moves and closes with the keys as before (Enter, arrows, Escape).
   - its button is named by its value only ("all cases"), never by what it chooses: a
     <label for="ID"> of the dropdown (layouts/a11y.py, hidden_label) is added to the
     button's name, so it reads "Meeting, all cases". */
(function () {
  "use strict";

  function fix() {
    document.querySelectorAll(".dash-dropdown-focus-target").forEach(function (proxy) {
      const button = proxy.nextElementSibling;
      if (!button || button.tagName !== "BUTTON") { return; }
      if (proxy.tabIndex !== -1) { proxy.tabIndex = -1; }
      const wanted = button.disabled ? -1 : 0;
      if (button.tabIndex !== wanted) { button.tabIndex = wanted; }
      if (!button.id) { return; }
      const label = document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
      if (!label) { return; }
      if (!label.id) { label.id = button.id + "--label"; }
      const names = (button.getAttribute("aria-labelledby") || "").split(/\s+/);
      if (names[0] !== label.id) {
        button.setAttribute("aria-labelledby",
                            [label.id].concat(names.filter(function (n) {
                              return n && n !== label.id;
                            })).join(" "));
      }
    });
  }

  /* the dropdown puts its Tab stop back on the input whenever its button loses the focus,
     and React redraws the button's name: fixed again after every change */
  new MutationObserver(fix).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true,
    attributeFilter: ["tabindex", "aria-labelledby", "disabled"],
  });
})();
