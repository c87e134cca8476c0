import { type DbClient } from '../db-client';

/** Districts are the tenants themselves; only operators (the CLI) create them. */
export class DistrictRepository {
  constructor(private readonly prisma: DbClient) {}

  create(name: string): Promise<{ id: string }> {
    return this.prisma.district.create({ data: { name }, select: { id: true } });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.prisma.district.count({ where: { id } })) === 1;
  }
}
