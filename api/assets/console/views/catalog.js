import { gql } from '../api.js';

/** Entitlement names by code (in the request's language), fetched once per language. */
const cache = new Map();
export async function entitlementNames(lang) {
  if (!cache.has(lang)) {
    cache.set(lang, gql('{ serviceCatalog { code name requestable departments { code } } }').then((d) => d.serviceCatalog));
  }
  return cache.get(lang);
}
