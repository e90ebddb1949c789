/*
 * What amoCRM does for a widget, reduced to this page: an APP/AMOCRM global with the current
 * card, RequireJS loading jQuery and the widget's script.js, the widget's system methods mixed
 * into the instance, then render -> init -> bind_actions. Save shows what amoCRM would save.
 */
(function () {
  'use strict';
  var lang = /[?&]lang=en\b/.test(location.search) ? 'en' : 'ru';
  var ADDRESS_FIELD = 762381;
  var card = { id: 4242, entity: 'leads' };
  // The link to the console page keeps the language.
  var consoleLink = document.querySelector('a[href="/demo/console"]');
  if (consoleLink) consoleLink.setAttribute('href', '/demo/console?lang=' + lang);
  window.APP = window.AMOCRM = {
    data: { current_card: { id: card.id } },
    getBaseEntity: function () { return card.entity; },
    isCard: function () { return true; },
    getWidgetsArea: function () { return 'leads_card'; },
    lang_id: lang,
    constant: function (name) { return name === 'account' ? { id: 1, subdomain: 'demo' } : { id: 1 }; },
  };

  // Which areas the embedded index answers house by house (GET /api/address/coverage).
  fetch('/api/address/coverage').then(function (res) { return res.json(); }).then(function (c) {
    var el = document.getElementById('demo-coverage');
    var extracts = c.sources.openStreetMap.map(function (o) { return o.extract; });
    var registry = c.sources.registry ? Object.keys(c.sources.registry.regions).map(function (r) { return 'ГАР ' + r; }) : [];
    var areas = extracts.concat(registry);
    el.textContent = areas.length
      ? (lang === 'en' ? 'Streets and houses here: ' : 'Улицы и дома здесь: ') + areas.join(', ') + (lang === 'en' ? ' — try “москва аргуновская 18”, “байконур гагарина”; a Moscow house shows its delivery zone under the field (the zones: the admin console). Elsewhere: settlement names only.' : ' — попробуйте «москва аргуновская 18», «байконур гагарина»; у дома в Москве под полем видна зона доставки (зоны — в консоли). В остальном — только названия населённых пунктов.')
      : (lang === 'en' ? 'Settlement names only: add a region with one command, npm run data -- add moscow.' : 'Только названия населённых пунктов: регион добавляется одной командой, npm run data -- add moscow.');
  });

  requirejs.config({ paths: { jquery: '/vendor/jquery' } });
  require(['jquery', '/demo/widget/script.js'], function ($, Widget) {
    $.getJSON('/demo/widget/i18n/' + lang + '.json').then(function (langs) {
      var widget = new Widget();
      widget.langs = langs;
      widget.params = { path: '/demo/widget', widget_code: 'amo-address' };
      widget.system = function () { return { area: 'lcard', amouser_id: 1, subdomain: 'demo' }; };
      widget.get_settings = function () {
        return { field_ids: String(ADDRESS_FIELD), min_chars: '3', count: '7', bias_city: '', backend_url: location.origin, active: 'Y', widget_code: 'amo-address' };
      };
      // In amoCRM this adds X-Auth-Token; the demo backend runs without amoCRM credentials.
      widget.$authorizedAjax = function (options) { return $.ajax(options); };
      window.demoWidget = widget;
      widget.callbacks.render();
      widget.callbacks.init();
      widget.callbacks.bind_actions();
      bindCard($, widget);
      document.body.setAttribute('data-widget-ready', 'true');
    });
  });

  function bindCard($, widget) {
    var $card = $('#card_holder');
    var $save = $('#save_and_close_contacts_link');
    var changed = {};
    // amoCRM marks the card changed on controls:change / input from its field controls.
    $card.on('controls:change input', '[name^="CFV["]', function () {
      changed[this.name] = this.value;
      $card.addClass('card--changed');
      $('#card-status').text(lang === 'en' ? 'Unsaved changes' : 'Есть несохранённые изменения');
      $save.prop('disabled', false);
    });
    $save.on('click', function () {
      var values = Object.keys(changed).map(function (name) {
        var id = Number(/CFV\[(\d+)\]/.exec(name)[1]);
        return { field_id: id, values: [{ value: changed[name] }] };
      });
      var chosen = widget.amoAddress.chosen.get(String(ADDRESS_FIELD));
      var saved = { id: card.id, custom_fields_values: values };
      if (chosen && chosen.value === changed['CFV[' + ADDRESS_FIELD + ']']) saved.address_parts = chosen.data;
      $('#saved').text(JSON.stringify(saved, null, 2));
      changed = {};
      $card.removeClass('card--changed');
      $('#card-status').text(lang === 'en' ? 'Saved' : 'Сохранено');
      $save.prop('disabled', true);
    });
  }
})();
