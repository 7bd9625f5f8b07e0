// The public tracker (/followup/, 问政跟踪): every question forwarded to a
// department and every commitment made on air, with its status, due date,
// the reply and how the citizens rated it; per department, a chart of how
// many were answered on time and how satisfied people were.
//
// The page reads the studio's JSON API (/api/followup…, /api/archive/sessions
// for the shows) and nothing else; the address says what is shown (state.js
// has its form), so every list and item can be shared. state.js holds what
// the page knows, view.js draws it; this module wires the API, the address
// and the filters. An answer is awaited into a variable before the state
// is read: other answers may have changed it meanwhile.

import { fetchJson as getJson } from '../common.js';
import { applyStatic, mountLangToggle, onLangChange, t } from '../i18n.js';
import {
  initialState, parseHash, hashFor, listUrl, sameFilters, listRequested, listLoaded, listFailed, moreRequested,
  itemRequested, itemLoaded, itemFailed, statsLoaded, departmentsLoaded, showsLoaded,
} from './state.js';
import { createView } from './view.js';

let state = initialState();
const view = createView();
const { ui } = view;

function render() {
  view.render(state);
}

async function loadList(filters) {
  state = listRequested(state, filters);
  const token = state.listToken;
  render();
  try {
    const body = await getJson(listUrl(filters));
    state = listLoaded(state, token, body);
  } catch (error) {
    state = listFailed(state, token, error);
  }
  render();
}

async function loadMore() {
  if (!state.nextBefore || state.loadingMore) return;
  state = moreRequested(state);
  const token = state.listToken;
  render();
  try {
    const body = await getJson(listUrl(state.filters, state.nextBefore));
    state = listLoaded(state, token, body, true);
  } catch (error) {
    state = listFailed(state, token, error);
  }
  render();
}

async function loadItem(id) {
  state = itemRequested(state, id);
  render();
  try {
    const body = await getJson(`/api/followup/item?id=${id}`);
    state = itemLoaded(state, id, body);
  } catch (error) {
    state = itemFailed(state, id, error);
  }
  render();
  window.scrollTo({ top: 0 });
}

// The chart, the departments and the shows, each drawn as it comes.
function loadSideData() {
  const load = async (url, apply) => {
    try {
      const body = await getJson(url);
      state = apply(state, body);
      render();
    } catch {
      // The list works without it; the chart waits for the next visit.
    }
  };
  load('/api/followup/stats', statsLoaded);
  load('/api/followup/departments', departmentsLoaded);
  load('/api/archive/sessions', showsLoaded);
}

function route() {
  const { item, filters } = parseHash(location.hash);
  if (item) {
    if (item !== state.itemId) loadItem(item);
    return;
  }
  if (state.itemId || state.items === null || !sameFilters(filters, state.filters)) {
    loadList(filters);
  }
}

function filtersFromForm() {
  return {
    department: Number.parseInt(ui.department.value, 10) || 0,
    status: ui.status.value,
    show: Number.parseInt(ui.show.value, 10) || 0,
    q: ui.search.value.trim(),
  };
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  location.hash = hashFor({ filters: filtersFromForm() });
});
for (const select of [ui.department, ui.status, ui.show]) {
  select.addEventListener('change', () => { location.hash = hashFor({ filters: filtersFromForm() }); });
}
ui.more.addEventListener('click', loadMore);
ui.back.addEventListener('click', (event) => {
  event.preventDefault();
  location.hash = hashFor({ filters: state.filters });
});

onLangChange(() => {
  document.title = t('followup.doc_title');
  render();
});

applyStatic();
document.title = t('followup.doc_title');
mountLangToggle(ui.langToggle);
window.addEventListener('hashchange', route);
loadSideData();
route();
