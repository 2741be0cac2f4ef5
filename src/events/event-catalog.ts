/** Generated from the event table of Shoptet's OpenAPI spec (tag "Webhooks"); see facts.md §2. */
export type InstanceKind = "stockId" | "productCode" | "code" | "guid" | "id" | "eshopId" | "jobId" | "fixedString" | "list";

export interface EventType {
  /** What `eventInstance` holds for this event. */
  instance: InstanceKind;
  /** Shoptet's own words for the identifier. */
  meaning: string;
  /** Marked beta (*) by Shoptet: may change or be withdrawn. */
  beta: boolean;
  /** A mass event: `eventInstance` is a JSON-serialised list. */
  mass: boolean;
}

export const EVENT_CATALOG: Readonly<Record<string, EventType>> = {
  "availability:create": { instance: "id", meaning: "Availability ID", beta: false, mass: false },
  "availability:update": { instance: "id", meaning: "Availability ID", beta: false, mass: false },
  "availability:delete": { instance: "id", meaning: "Availability ID", beta: false, mass: false },
  "brand:create": { instance: "code", meaning: "String (code) - brand unique code", beta: false, mass: false },
  "brand:update": { instance: "code", meaning: "String (code) - brand unique code", beta: false, mass: false },
  "brand:delete": { instance: "code", meaning: "String (code) - brand unique code", beta: false, mass: false },
  "category:create": { instance: "guid", meaning: "String (guid) of product category", beta: false, mass: false },
  "category:update": { instance: "guid", meaning: "String (guid) of product category", beta: false, mass: false },
  "category:delete": { instance: "guid", meaning: "String (guid) of product category", beta: false, mass: false },
  "creditNote:create": { instance: "code", meaning: "Number (code) of credit note", beta: false, mass: false },
  "creditNote:delete": { instance: "code", meaning: "Number (code) of credit note", beta: false, mass: false },
  "creditNote:update": { instance: "code", meaning: "Number (code) of credit note", beta: false, mass: false },
  "customer:create": { instance: "guid", meaning: "Customer GUID", beta: false, mass: false },
  "customer:update": { instance: "guid", meaning: "Customer GUID", beta: false, mass: false },
  "customer:disableOrders": { instance: "guid", meaning: "Customer GUID", beta: false, mass: false },
  "customer:enableOrders": { instance: "guid", meaning: "Customer GUID", beta: false, mass: false },
  "customer:import": { instance: "fixedString", meaning: "Fixed string \"customers\"", beta: false, mass: false },
  "customer:delete": { instance: "guid", meaning: "Customer GUID", beta: false, mass: false },
  "customerGroup:create": { instance: "id", meaning: "ID of customer group", beta: false, mass: false },
  "customerGroup:update": { instance: "id", meaning: "ID of customer group", beta: false, mass: false },
  "customerGroup:delete": { instance: "id", meaning: "ID of customer group", beta: false, mass: false },
  "deliveryNote:create": { instance: "code", meaning: "Number (code) of delivery note", beta: false, mass: false },
  "deliveryNote:delete": { instance: "code", meaning: "Number (code) of delivery note", beta: false, mass: false },
  "deliveryNote:update": { instance: "code", meaning: "Number (code) of delivery note", beta: false, mass: false },
  "discountCoupon:create": { instance: "code", meaning: "String (code) - discount coupon unique code", beta: false, mass: false },
  "discountCoupon:delete": { instance: "code", meaning: "String (code) of discount coupon", beta: false, mass: false },
  "discountCoupon:update": { instance: "code", meaning: "String (code) - discount coupon unique code", beta: false, mass: false },
  "eshop:currencies": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "eshop:billingInformation": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "eshop:settingsInformation": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "eshop:design": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "eshop:mandatoryFields": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "eshop:projectDomain": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "invoice:create": { instance: "code", meaning: "Number (code) of invoice", beta: false, mass: false },
  "invoice:delete": { instance: "code", meaning: "Number (code) of invoice", beta: false, mass: false },
  "invoice:update": { instance: "code", meaning: "Number (code) of invoice", beta: false, mass: false },
  "job:finished": { instance: "jobId", meaning: "Job id", beta: false, mass: false },
  "mailingListEmail:create": { instance: "code", meaning: "Name (code) of e-mail distribution list", beta: false, mass: false },
  "mailingListEmail:delete": { instance: "code", meaning: "Name (code) of e-mail distribution", beta: false, mass: false },
  "order:cancel": { instance: "code", meaning: "Number (code) of order", beta: false, mass: false },
  "order:create": { instance: "code", meaning: "Number (code) of order", beta: false, mass: false },
  "order:delete": { instance: "code", meaning: "Number (code) of order", beta: false, mass: false },
  "order:paid": { instance: "code", meaning: "Number (code) of order", beta: false, mass: false },
  "order:update": { instance: "code", meaning: "Number (code) of order", beta: false, mass: false },
  "orderHistoryRemarks:change": { instance: "code", meaning: "Number (code) of order", beta: false, mass: false },
  "orderStatusesList:change": { instance: "id", meaning: "Order status ID", beta: false, mass: false },
  "pricelist:create": { instance: "id", meaning: "ID of pricelist", beta: false, mass: false },
  "pricelist:delete": { instance: "id", meaning: "ID of pricelist", beta: false, mass: false },
  "paymentMethod:change": { instance: "guid", meaning: "Payment method GUID", beta: false, mass: false },
  "proformaInvoice:create": { instance: "code", meaning: "Number (code) of proforma invoice", beta: false, mass: false },
  "proformaInvoice:delete": { instance: "code", meaning: "Number (code) of proforma invoice", beta: false, mass: false },
  "proformaInvoice:update": { instance: "code", meaning: "Number (code) of proforma invoice", beta: false, mass: false },
  "projectReview:create": { instance: "id", meaning: "ID of project review", beta: false, mass: false },
  "product:create": { instance: "guid", meaning: "String (guid) of product", beta: true, mass: false },
  "product:update": { instance: "guid", meaning: "String (guid) of product", beta: true, mass: false },
  "product:delete": { instance: "guid", meaning: "String (guid) of product", beta: true, mass: false },
  "productVariant:create": { instance: "code", meaning: "Variant code", beta: true, mass: false },
  "productVariant:update": { instance: "code", meaning: "Variant code", beta: true, mass: false },
  "productVariant:delete": { instance: "code", meaning: "Variant code", beta: true, mass: false },
  "productVariantPrice:update": { instance: "code", meaning: "Variant code", beta: true, mass: false },
  "productReview:created": { instance: "id", meaning: "ID of product review", beta: false, mass: false },
  "proofPayment:create": { instance: "code", meaning: "Number (code) of proof payment", beta: false, mass: false },
  "proofPayment:delete": { instance: "code", meaning: "Number (code) of proof payment", beta: false, mass: false },
  "proofPayment:update": { instance: "code", meaning: "Number (code) of proof payment", beta: false, mass: false },
  "quantityDiscount:create": { instance: "id", meaning: "ID of quantity discount", beta: false, mass: false },
  "quantityDiscount:update": { instance: "id", meaning: "ID of quantity discount", beta: false, mass: false },
  "quantityDiscount:delete": { instance: "id", meaning: "ID of quantity discount", beta: false, mass: false },
  "salesChannel:create": { instance: "guid", meaning: "GUID of sales channel", beta: false, mass: false },
  "salesChannel:update": { instance: "guid", meaning: "GUID of Shipment", beta: false, mass: false },
  "salesChannel:delete": { instance: "guid", meaning: "GUID of Shipment", beta: false, mass: false },
  "shipment:create": { instance: "guid", meaning: "GUID of Shipment", beta: false, mass: false },
  "shipment:update": { instance: "id", meaning: "Shipment ID", beta: false, mass: false },
  "shipment:fail": { instance: "id", meaning: "Shipment ID", beta: false, mass: false },
  "shippingMethod:change": { instance: "guid", meaning: "Shipping method GUID", beta: false, mass: false },
  "sectionArticle:create": { instance: "id", meaning: "ID of article section", beta: false, mass: false },
  "sectionArticle:update": { instance: "id", meaning: "ID of article section", beta: false, mass: false },
  "sectionArticle:delete": { instance: "id", meaning: "ID of article section", beta: false, mass: false },
  "shippingRequest:cancelled": { instance: "code", meaning: "shippingRequestCode associated with the cart", beta: false, mass: false },
  "shippingRequest:confirmed": { instance: "code", meaning: "shippingRequestCode associated with the cart", beta: false, mass: false },
  "stock:movement": { instance: "stockId", meaning: "Stock ID", beta: false, mass: false },
  "stock:inStock": { instance: "productCode", meaning: "Number (code) of product", beta: true, mass: false },
  "stock:soldOut": { instance: "productCode", meaning: "Number (code) of product", beta: true, mass: false },
  "stock:minStockSupplyReached": { instance: "productCode", meaning: "Number (code) of product", beta: true, mass: false },
  "supplier:create": { instance: "guid", meaning: "String (guid) of supplier", beta: false, mass: false },
  "supplier:update": { instance: "guid", meaning: "String (guid) of supplier", beta: false, mass: false },
  "supplier:delete": { instance: "guid", meaning: "String (guid) of supplier", beta: false, mass: false },
  "warranty:create": { instance: "id", meaning: "Warranty ID", beta: false, mass: false },
  "warranty:update": { instance: "id", meaning: "Warranty ID", beta: false, mass: false },
  "warranty:delete": { instance: "id", meaning: "Warranty ID", beta: false, mass: false },
  "category:massCreate": { instance: "list", meaning: "Json serialized list of string (guid) of product categories", beta: false, mass: true },
  "category:massUpdate": { instance: "list", meaning: "Json serialized list of string (guid) of product categories", beta: false, mass: true },
  "category:massDelete": { instance: "list", meaning: "Json serialized list of string (guid) of product categories", beta: false, mass: true },
  "discountCoupon:massCreate": { instance: "list", meaning: "Json serialized list of string (code) of discount coupons", beta: false, mass: true },
  "discountCoupon:massDelete": { instance: "list", meaning: "Json serialized list of string (code) of discount coupons", beta: false, mass: true },
  "invoice:massUpdate": { instance: "list", meaning: "Json serialized list of number (code) of invoices", beta: false, mass: true },
  "order:massCreate": { instance: "list", meaning: "Json serialized list of number (code) of orders", beta: false, mass: true },
  "order:massUpdate": { instance: "list", meaning: "Json serialized list of number (code) of orders", beta: false, mass: true },
  "order:massPaid": { instance: "list", meaning: "Json serialized list of number (code) of orders", beta: false, mass: true },
  "product:massCreate": { instance: "list", meaning: "Json serialized list of string (guid) of products", beta: true, mass: true },
  "product:massUpdate": { instance: "list", meaning: "Json serialized list of string (guid) of products", beta: true, mass: true },
  "product:massDelete": { instance: "list", meaning: "Json serialized list of string (guid) of products", beta: true, mass: true },
  "productVariant:massCreate": { instance: "list", meaning: "Json serialized list of variant codes", beta: true, mass: true },
  "productVariant:massUpdate": { instance: "list", meaning: "Json serialized list of variant codes", beta: true, mass: true },
  "productVariant:massDelete": { instance: "list", meaning: "Json serialized list of variant codes", beta: true, mass: true },
  "productVariantPrice:massUpdate": { instance: "list", meaning: "Json serialized list of variant codes", beta: true, mass: true },
  "quantityDiscount:massDelete": { instance: "list", meaning: "Json serialized list of quantity discounts IDs", beta: false, mass: true },
  "quantityDiscount:massUpdate": { instance: "list", meaning: "Json serialized list of quantity discounts IDs", beta: false, mass: true },
  // System webhooks, set in the partner administration, not through the API.
  "addon:suspend": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "addon:approve": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "addon:terminate": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
  "addon:uninstall": { instance: "eshopId", meaning: "ID of eshop", beta: false, mass: false },
};

/** Stock events that the stock worker turns into state. */
export const STOCK_EVENTS = ["stock:movement", "stock:inStock", "stock:soldOut", "stock:minStockSupplyReached"] as const;
export type StockEvent = (typeof STOCK_EVENTS)[number];

export function isStockEvent(event: string): event is StockEvent {
  return (STOCK_EVENTS as readonly string[]).includes(event);
}

/** Event types that the API can register (system `addon:*` webhooks cannot be). */
export function registrableEvents(): string[] {
  return Object.keys(EVENT_CATALOG).filter((e) => !e.startsWith("addon:"));
}
