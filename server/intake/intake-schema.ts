/**
 * What a website may post to /api/leads. Phones are normalised to +<digits> (Russian 8XXXXXXXXXX
 * becomes +7XXXXXXXXXX); every size is bounded; unknown fields are refused by name.
 */
import { z } from 'zod';

const noControl = (v: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v);
const text = (max: number) => z.string({ error: 'must be text' }).trim().max(max, `must be at most ${max} characters`).refine(noControl, 'must not contain control characters');

export function normalizePhone(raw: string): string | null {
  if (!/^[\d\s()+\-.]{5,30}$/.test(raw.trim())) return null;
  let digits = raw.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  if (digits.length === 10 && digits.startsWith('9')) digits = `7${digits}`;
  return digits.length >= 10 && digits.length <= 15 ? `+${digits}` : null;
}

export const intakeSchema = z
  .object({
    name: text(200).pipe(z.string().min(1, 'must not be empty')),
    phone: z
      .string({ error: 'is required' })
      .transform((v, ctx) => {
        const phone = normalizePhone(v);
        if (!phone) ctx.addIssue({ code: 'custom', message: 'must be a phone number with 10 to 15 digits' });
        return phone ?? '';
      }),
    email: z.email({ error: 'must be an email address' }).max(254, 'must be at most 254 characters').optional(),
    address: text(300).optional(),
    // What the courier needs (docs/api.md): each to the lead field the admin mapped, else after the address.
    flat: text(20).optional(),
    entrance: text(20).optional(),
    floor: text(20).optional(),
    intercom: text(20).optional(),
    courier_comment: text(200).optional(),
    // The order's sum: the lead's budget, and what the delivery price is worked out for.
    price: z.number({ error: 'must be the order sum (a number)' }).min(0, 'must not be negative').max(1_000_000_000).optional(),
    message: text(5000).optional(),
    source: text(100).optional(),
    productId: z.union([text(100), z.number().int().nonnegative()]).transform(String).optional(),
    utm: z
      .object({ source: text(200).optional(), medium: text(200).optional(), campaign: text(200).optional(), content: text(200).optional(), term: text(200).optional() })
      .strict()
      .optional(),
  })
  .strict();

export type IntakeLead = z.infer<typeof intakeSchema>;
