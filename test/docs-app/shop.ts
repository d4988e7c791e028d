// A storefront's helpers the docs' examples import (`../shop`): the docs test resolves any app
// module named `shop` that a page does not show to this stand-in.
import { createContext } from 'react-router'

export interface ShopDatabase {
  collection(handle: string): Promise<{ handle: string; title: string } | undefined>
}
export declare const dbContext: ReturnType<typeof createContext<ShopDatabase>>
export declare function redirectIfHandleIsLocalized(request: Request, options: { handle: string }): void
export declare function getShop(request: Request): Promise<{ currency: string }>
