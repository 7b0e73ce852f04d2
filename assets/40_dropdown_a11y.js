/* Dash 4's dcc.Dropdown, made usable with a screen reader (checked by axe-core in
   tests/web/test_a11y.py):
   - its Tab stop is a hidden <input aria-hidden="true"> that hands the focus on to the
     dropdown's button (axe: "aria-hidden-focus", serious: a focusable element hidden from
     assistive technology). Here the button itself is the Tab stop and the input is not;
     the dropdown opens, moves and closes with the keys as before (Enter, arrows, Escape).
   - its button is named by its value only ("all cases"), never by what it chooses: a
     <label for="ID"> of the dropdown (layouts/a11y.py, hidden_label) is added to the
     button's name, so it reads "Meeting, all cases".
   - its open list is a dialog holding a "listbox" whose "options" are labels around radio
     buttons (checkboxes when several may be chosen), and the arrow keys move the focus from
     radio to radio: an option with a control inside (axe: "nested-interactive"), and a dialog
     and a list without a name. Here the list is what it is, a radio group (or a group of
     checkboxes) named like the button, in a dialog of that name; the button says it opens a
     dialog. The keys work as before. */
(function () {
  "use strict";

  function fix() {
    document.querySelectorAll(".dash-dropdown-focus-target").forEach(function (proxy) {
      const button = proxy.nextElementSibling;
      if (!button || button.tagName !== "BUTTON") { return; }
      if (proxy.tabIndex !== -1) { proxy.tabIndex = -1; }
      if (button.getAttribute("aria-haspopup") !== "dialog") {
        button.setAttribute("aria-haspopup", "dialog");
      }
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

  function nameOpenList() {
    document.querySelectorAll(".dash-dropdown-content").forEach(function (content) {
      const trigger = content.id &&
        document.querySelector('button[aria-controls="' + CSS.escape(content.id) + '"]');
      const names = trigger && trigger.getAttribute("aria-labelledby");
      if (names) {
        [content, content.querySelector(".dash-options-list")].forEach(function (element) {
          if (element && element.getAttribute("aria-labelledby") !== names) {
            element.setAttribute("aria-labelledby", names);
          }
        });
      }
      const list = content.querySelector(".dash-options-list");
      if (list) {
        const role = list.querySelector("input[type=radio]") ? "radiogroup" : "group";
        if (list.getAttribute("role") !== role) { list.setAttribute("role", role); }
      }
      content.querySelectorAll(".dash-options-list-option[role], " +
                               ".dash-options-list-option[aria-selected]").forEach(
        function (option) {  // the radio or checkbox inside says whether it is chosen
          option.removeAttribute("role");
          option.removeAttribute("aria-selected");
        });
    });
  }

  /* the dropdown puts its Tab stop back on the input whenever its button loses the focus,
     and React redraws the button's name: fixed again after every change */
  new MutationObserver(function () { fix(); nameOpenList(); }).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true,
    attributeFilter: ["tabindex", "aria-labelledby", "disabled", "role", "aria-selected",
                      "aria-haspopup"],
  });
})();
