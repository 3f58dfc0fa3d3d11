import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** catalog.categories: a plain CRUD table, so TypeORM maps it (snake_case columns by the naming strategy). */
@Entity({ schema: 'catalog', name: 'categories' })
export class CategoryEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('text')
  title!: string;

  @Column('text', { nullable: true })
  alias!: string | null;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text', { nullable: true })
  color!: string | null;

  @Column('text', { default: 'global' })
  bundle!: string;

  @Column('boolean', { default: true })
  isPublished!: boolean;

  @Column('timestamptz', { default: () => 'now()' })
  dateAdded!: Date;

  @Column('timestamptz', { nullable: true })
  dateModified!: Date | null;

  @Column('int', { nullable: true })
  createdBy!: number | null;

  @Column('text', { nullable: true })
  createdByUser!: string | null;

  @Column('int', { nullable: true })
  modifiedBy!: number | null;

  @Column('text', { nullable: true })
  modifiedByUser!: string | null;

  @Column('int', { default: 1 })
  version!: number;
}
