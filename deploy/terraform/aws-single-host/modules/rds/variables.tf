variable "name" {
  description = "Prefix of the resource names."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "At least two subnets in different availability zones (the DB subnet group)."
  type        = list(string)
}

variable "client_security_group" {
  description = "Security group of the halocline host, the only client allowed in."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "allocated_storage_gb" {
  description = "Initial storage (gp3); autoscaling up to four times this."
  type        = number
  default     = 20
}

variable "engine_version" {
  description = "PostgreSQL major version (PostGIS is an extension RDS ships: CREATE EXTENSION postgis)."
  type        = string
  default     = "15"
}

variable "database" {
  description = "Name of the database halocline uses."
  type        = string
  default     = "halocline"
}
