// Reads {"parse": [payload...], "encode": [fields...]} on stdin and answers
// with what two EMVCo libraries Scanpay did not write make of it:
//   parse[i].qrcps  the payload emv-qrcps writes back after parsing it (its
//                   own lengths and CRC: equal only if it read every length
//                   as written)
//   parse[i].sdk    emvco-qr-sdk's data objects by ID, templates nested
//   encode[i]       the payload emv-qrcps encodes from the fields
// checkout/qr's TestEMVCoInterop runs it; `npm ci` here installs both.
'use strict';
const { Merchant } = require('emv-qrcps');
const { parseQR, QRParseMode } = require('emvco-qr-sdk');

function encode(f) {
  const q = Merchant.buildEMVQR();
  const set = (setter, v) => { if (v) setter(v); };
  q.setPayloadFormatIndicator('01');
  set(q.setPointOfInitiationMethod, f.point_of_initiation);
  const account = Merchant.buildMerchantAccountInformation();
  account.setGloballyUniqueIdentifier(f.guid);
  set((v) => account.addPaymentNetworkSpecific('01', v), f.code);
  q.addMerchantAccountInformation('26', account);
  q.setMerchantCategoryCode(f.mcc);
  q.setTransactionCurrency(f.currency);
  set(q.setTransactionAmount, f.amount);
  q.setCountryCode(f.country);
  q.setMerchantName(f.name);
  q.setMerchantCity(f.city);
  if (f.reference) {
    const extra = Merchant.buildAdditionalDataFieldTemplate();
    extra.setReferenceLabel(f.reference);
    q.setAdditionalDataFieldTemplate(extra);
  }
  if (f.alt_language) {
    const alt = Merchant.buildMerchantInformationLanguageTemplate();
    alt.setLanguagePreference(f.alt_language);
    alt.setMerchantName(f.alt_name);
    set(alt.setMerchantCity, f.alt_city);
    q.setMerchantInformationLanguageTemplate(alt);
  }
  return q.generatePayload();
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const out = {
    parse: req.parse.map((p) => ({
      qrcps: Merchant.Parser.toEMVQR(p).generatePayload(),
      sdk: parseQR(p, { parseMode: QRParseMode.RAW_OBJECT }),
    })),
    encode: req.encode.map(encode),
  };
  process.stdout.write(JSON.stringify(out));
});
