import { getCookie } from '@tanstack/react-start/server'

export function currency() {
  return getCookie('currency') ?? 'EUR'
}
