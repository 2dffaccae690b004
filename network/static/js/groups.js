// Groups: moving municipalities between groups on the edit page, without a reload. The page works without it:
// the group selects are ordinary form fields, and "Lagre" sends them.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function updateCounts(form) {
    var lists = form.querySelectorAll("[data-group-list]");
    Array.prototype.forEach.call(lists, function (list) {
      var key = list.getAttribute("data-group-list");
      var count = list.querySelectorAll("[data-placement-row]").length;
      var template = count === 1 ? form.dataset.countOne : form.dataset.countMany;
      var counters = form.querySelectorAll("[data-group-count]");
      Array.prototype.forEach.call(counters, function (counter) {
        if (counter.getAttribute("data-group-count") === key && template) {
          counter.textContent = fill(template, { n: String(count) });
        }
      });
    });
  }

  function findList(form, key) {
    var lists = form.querySelectorAll("[data-group-list]");
    for (var i = 0; i < lists.length; i++) {
      if (lists[i].getAttribute("data-group-list") === key) {
        return lists[i];
      }
    }
    return null;
  }

  function moveRow(form, select) {
    var row = select.closest("[data-placement-row]");
    var target = findList(form, select.value) || findList(form, "");
    if (!row || !target) {
      return;
    }
    target.appendChild(row);
    updateCounts(form);
    row.classList.add("placement--moved");
    window.setTimeout(function () { row.classList.remove("placement--moved"); }, 2000);
    select.focus();
    var announcer = form.querySelector("[data-group-announcer]");
    var nameElement = row.querySelector("[data-placement-name]");
    var option = select.options[select.selectedIndex];
    if (announcer && form.dataset.moved && nameElement && option) {
      announcer.textContent = fill(form.dataset.moved, { name: nameElement.textContent, group: option.textContent });
    }
  }

  // A renamed group is offered under its new name in every municipality's select.
  function renameOptions(form, input) {
    var card = input.closest("[data-group]");
    if (!card) {
      return;
    }
    var key = card.getAttribute("data-group");
    var name = input.value.trim();
    if (!name) {
      return;
    }
    var selects = form.querySelectorAll("select[data-placement]");
    Array.prototype.forEach.call(selects, function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value === key) {
          option.textContent = name;
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-grouping-form]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("change", function (event) {
        if (event.target.matches("select[data-placement]")) {
          moveRow(form, event.target);
        }
      });
      form.addEventListener("input", function (event) {
        if (event.target.matches("[data-group] input[name$='-name']")) {
          renameOptions(form, event.target);
        }
      });
    });

    var printButtons = document.querySelectorAll("[data-print]");
    Array.prototype.forEach.call(printButtons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
